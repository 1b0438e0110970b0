import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsNotEmptyObject, IsOptional, ValidateNested } from 'class-validator';

/** The DTO class, given lazily (it may be declared further down the file). */
type DtoClass = () => abstract new (...args: never[]) => unknown;

/** A required JSON object checked by the rules of its DTO class (the ValidationPipe builds it with class-transformer). */
export function NestedObject(dto: DtoClass): PropertyDecorator {
  return applyDecorators(IsNotEmptyObject(), ValidateNested(), Type(dto));
}

/** An object that may be left out or null; when given, checked by the rules of its DTO class. */
export function OptionalNestedObject(dto: DtoClass): PropertyDecorator {
  return applyDecorators(IsOptional(), ValidateNested(), Type(dto));
}
