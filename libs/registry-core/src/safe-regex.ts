import { createRequire } from 'node:module';

type RE2 = InstanceType<typeof import('re2')>;

/** re2 (a native module) is loaded on the first pattern: most servers never compile one. */
let re2: typeof import('re2') | undefined;
function loadRe2(): typeof import('re2') {
  re2 ??= createRequire(__filename)('re2') as typeof import('re2');
  return re2;
}

/** Longer patterns are refused: nobody writes a tag or name rule this long, and RE2's program stays small. */
export const MAX_PATTERN_LENGTH = 1000;

export class UnsafePatternError extends Error {
  override readonly name = 'UnsafePatternError';
}

/**
 * A regular expression that came from a user (proxy tag tiers, cleanup policies, privilege patterns).
 * It runs on RE2, whose time is linear in the input whatever the pattern, so `(a+)+` cannot freeze the
 * process. RE2 has no backreferences or lookaround: such patterns are refused when compiled, with a
 * message that can go back to the user as is.
 */
export class SafeRegex {
  private constructor(
    readonly source: string,
    private readonly whole: RE2,
  ) {}

  /** Compiles `pattern`, matched against whole inputs (as if written `^(?:pattern)$`); throws UnsafePatternError. */
  static compile(pattern: string): SafeRegex {
    if (pattern.length > MAX_PATTERN_LENGTH) {
      throw new UnsafePatternError(`pattern is ${pattern.length} characters long; at most ${MAX_PATTERN_LENGTH} are accepted`);
    }
    try {
      // Compiled alone first: `a)|(b` must not escape the anchors once wrapped.
      const RE2 = loadRe2();
      new RE2(pattern, 'u');
      return new SafeRegex(pattern, new RE2(`^(?:${pattern})$`, 'u'));
    } catch (err) {
      throw new UnsafePatternError(`"${pattern}" is not a supported regular expression (RE2 syntax: no backreferences or lookaround): ${(err as Error).message}`);
    }
  }

  /** null when `pattern` compiles, else why not (for validation messages). */
  static problem(pattern: string): string | null {
    try {
      SafeRegex.compile(pattern);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }

  /** Whether the whole input matches. */
  matches(input: string): boolean {
    return this.whole.test(input);
  }
}
