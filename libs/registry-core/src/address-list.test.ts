import { describe, expect, it } from 'vitest';
import { AddressList, canonicalAddress, ipv6Groups } from './address-list';

describe('AddressList', () => {
  const list = AddressList.parse('10.0.0.0/8, 192.0.2.7, fd00::/8, [::1], 2001:db8::/32');

  it.each([
    ['10.1.2.3', true],
    ['::ffff:10.1.2.3', true],
    ['::ffff:a01:203', true],
    ['11.0.0.1', false],
    ['192.0.2.7', true],
    ['192.0.2.8', false],
    ['fd12:3456::1', true],
    ['::1', true],
    ['[::1]', true],
    ['2001:DB8:1::5', true],
    ['2001:db9::5', false],
    ['localhost', false],
    ['', false],
    ['unknown', false],
  ])('%s -> %s', (address, expected) => {
    expect(list.has(address)).toBe(expected);
  });

  it('an empty spec holds nothing', () => {
    const empty = AddressList.parse(' , ');
    expect(empty.size).toBe(0);
    expect(empty.has('127.0.0.1')).toBe(false);
  });

  it.each(['10.0.0.0/33', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8x', 'fe80::/129', 'proxy.internal', '999.1.1.1', '1.2.3'])(
    'refuses %s',
    (entry) => {
      expect(() => AddressList.parse(entry)).toThrow(TypeError);
    },
  );
});

describe('canonicalAddress', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    [' 192.0.2.1 ', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:c000:0201', '192.0.2.1'],
    ['0:0:0:0:0:ffff:192.0.2.1', '192.0.2.1'],
    ['2001:DB8::1', '2001:db8:0:0:0:0:0:1'],
    ['[2001:db8::1]', '2001:db8:0:0:0:0:0:1'],
    ['2001:db8:0:0:0:0:0:1', '2001:db8:0:0:0:0:0:1'],
    ['::1', '0:0:0:0:0:0:0:1'],
    ['::', '0:0:0:0:0:0:0:0'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0:0:0:c000:201'],
    ['unknown', null],
    ['_hidden', null],
    ['192.0.2.1:8080', null],
    ['', null],
  ])('%s -> %s', (input, expected) => {
    expect(canonicalAddress(input)).toBe(expected);
  });

  it('ipv6Groups expands :: anywhere', () => {
    expect(ipv6Groups('1::')).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(ipv6Groups('1:2:3:4:5:6:7::')).toEqual([1, 2, 3, 4, 5, 6, 7, 0]);
    expect(ipv6Groups('::7:8')).toEqual([0, 0, 0, 0, 0, 0, 7, 8]);
  });
});
