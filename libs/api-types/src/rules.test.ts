import { describe, expect, it } from 'vitest';
import { EMAIL_ADDRESS, REPOSITORY_NAME, ROLE_ID, USER_ID } from './rules';

// The grammars the server's DTOs and the UI's forms both check (one definition): what each accepts and refuses.
describe.each([
  ['REPOSITORY_NAME', REPOSITORY_NAME, ['docker-hub', 'a', 'a1.b_c__d---e', 'ghcr'], ['', 'Docker', '-a', 'a-', 'a___b', 'a/b', 'a..b', 'a b', '.a']],
  ['USER_ID', USER_ID, ['admin', 'ci-bot', 'a.b_c@d+e-f', 'X', '1user', 'a'.repeat(100)], ['', '-a', '.a', 'a b', 'a/b', 'a:b', 'a'.repeat(101)]],
  ['ROLE_ID', ROLE_ID, ['nx-admin', 'docker.dev_team', 'R', 'a'.repeat(100)], ['', '_a', 'a@b', 'a+b', 'a b', 'a'.repeat(101)]],
  ['EMAIL_ADDRESS', EMAIL_ADDRESS, ['a@b', 'first.last@example.org'], ['', 'a', 'a@', '@b', 'a b@c', 'a@b@c']],
] as const)('%s', (_name, rule, valid, invalid) => {
  it.each(valid)('accepts %j', (value) => expect(rule.test(value)).toBe(true));
  it.each(invalid)('refuses %j', (value) => expect(rule.test(value)).toBe(false));
});
