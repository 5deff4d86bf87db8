import { describe, expect, it } from 'vitest';
import { AddressAllowList, addressPermitted, embeddedIpv4, isInternalAddress, parseAllowEntry } from '../../../src/outbound/addresses.ts';

describe('internal addresses', () => {
  it('refuses loopback, private, link-local, CGNAT, multicast, unspecified and reserved IPv4', () => {
    for (const a of [
      '127.0.0.1',
      '127.1.2.3',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '100.127.255.255',
      '0.0.0.0',
      '224.0.0.251',
      '239.255.255.250',
      '240.0.0.1',
      '255.255.255.255',
      '192.0.2.1',
      '198.18.0.1',
    ]) {
      expect(isInternalAddress(a), a).toBe(true);
    }
  });

  it('refuses the IPv6 forms, including IPv4 hidden inside IPv6', () => {
    for (const a of [
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::127.0.0.1',
      '64:ff9b::a9fe:a9fe',
      '2002:7f00:1::1',
      '2002:c0a8:0101::1',
      '::127.0.0.1',
      'fe80::1%eth0',
    ]) {
      expect(isInternalAddress(a), a).toBe(true);
    }
    expect(embeddedIpv4('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(embeddedIpv4('2002:0a01:0203::1')).toBe('10.1.2.3');
  });

  it('lets public addresses through', () => {
    for (const a of [
      '8.8.8.8',
      '93.184.216.34',
      '172.32.0.1',
      '100.128.0.1',
      '2001:4860:4860::8888',
      '2606:4700::1111',
      '::ffff:8.8.8.8',
      '2002:0808:0808::1',
    ]) {
      expect(isInternalAddress(a), a).toBe(false);
    }
  });

  it('treats text that is not an address as internal (never as safe)', () => {
    expect(isInternalAddress('localhost')).toBe(true);
    expect(isInternalAddress('')).toBe(true);
  });

  it('the operator allow list opens exactly what it names, in either IPv6 spelling', () => {
    const allow = new AddressAllowList(['127.0.0.1', '10.20.0.0/16']);
    expect(addressPermitted('127.0.0.1', allow)).toBe(true);
    expect(addressPermitted('::ffff:127.0.0.1', allow)).toBe(true);
    expect(addressPermitted('127.0.0.2', allow)).toBe(false);
    expect(addressPermitted('10.20.3.4', allow)).toBe(true);
    expect(addressPermitted('10.21.0.1', allow)).toBe(false);
    expect(addressPermitted('::1', allow)).toBe(false);
    expect(addressPermitted('8.8.8.8', new AddressAllowList([]))).toBe(true);
    expect(parseAllowEntry('10.0.0.0/8')).toBe('10.0.0.0/8');
    expect(parseAllowEntry('::1')).toBe('::1');
    for (const bad of ['localhost', '10.0.0.0/33', '10.0.0.0/8/1', '::1/129', '']) expect(parseAllowEntry(bad), bad).toBeNull();
  });
});
