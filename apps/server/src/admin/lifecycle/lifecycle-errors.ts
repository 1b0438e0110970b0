/** A lifecycle request is invalid: 400 naming the field. */
export class LifecycleInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export class LifecycleNotFoundError extends Error {}
