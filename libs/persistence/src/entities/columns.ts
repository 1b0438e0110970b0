/**
 * The column kinds the entities are written in, one decorator a line. A kind that several tables store (a
 * repository or image name, a digest) has its length here once, so the tables cannot disagree on what fits.
 * `primary: true` makes the column (part of) the primary key.
 */
import { Column, type ColumnOptions, PrimaryColumn, type PrimaryColumnOptions } from 'typeorm';

type Options = Pick<ColumnOptions, 'nullable' | 'default' | 'unique' | 'transformer'> & { primary?: boolean };

function column(type: ColumnOptions['type'], { primary, ...rest }: Options, length?: number): PropertyDecorator {
  const options: ColumnOptions = { type, ...(length === undefined ? {} : { length }), ...rest };
  // A primary column is never nullable: no entity passes `nullable` with `primary`.
  return primary ? PrimaryColumn(options as PrimaryColumnOptions) : Column(options);
}

/** Longest repository name (api-types REPOSITORY_NAME_MAX_LENGTH is below it). */
const REPOSITORY_NAME_LENGTH = 200;
/** Longest image name (path components of an OCI repository name). */
const IMAGE_NAME_LENGTH = 255;
/** `algorithm:hex`, room for sha512 and longer algorithm names. */
const DIGEST_LENGTH = 160;

export const Varchar = (length: number, options: Options = {}): PropertyDecorator => column('varchar', options, length);
export const RepositoryName = (options: Options = {}): PropertyDecorator => Varchar(REPOSITORY_NAME_LENGTH, options);
export const ImageName = (options: Options = {}): PropertyDecorator => Varchar(IMAGE_NAME_LENGTH, options);
export const DigestColumn = (options: Options = {}): PropertyDecorator => Varchar(DIGEST_LENGTH, options);
/** JSON documents and other unbounded strings. */
export const Text = (options: Options = {}): PropertyDecorator => column('text', options);
/** A value stored as its JSON in a text column (TypeORM's simple-json): the entity holds the value (a list of ids, say), not the text. */
export const Json = (options: Options = {}): PropertyDecorator => column('simple-json', options);
/** A point in time (stored in UTC; see postgres.ts). */
export const Timestamp = (options: Options = {}): PropertyDecorator => column(Date, options);
export const Flag = (options: Options = {}): PropertyDecorator => column('boolean', options);
export const Integer = (options: Options = {}): PropertyDecorator => column('integer', options);
/** Byte counts past 2 GiB (PostgreSQL's integer is 32-bit). */
export const BigInteger = (options: Options = {}): PropertyDecorator => column('bigint', options);
