/** Whether the blob store takes new writes now (a full disk, or below its free-space floor). The composition root implements it. */
export abstract class BlobStoreSpace {
  /** null when uploads and fills may start, else why not. */
  abstract writeProblem(): Promise<string | null>;
}
