import { describe, expect, it } from 'vitest';
import {
  DEFAULT_VIRTUAL_VISIT_HOSTS,
  allowedExternalUrl,
  isAllowedExternal,
  parseHostList,
} from './external-links';

describe('external links (virtual visits)', () => {
  it.each([
    'https://meet.clinic.example/room/abc-123',
    'https://visit.clinic.example/j/42?pwd=x#start',
    'https://MEET.Clinic.Example/room',
  ])('opens allow-listed https link %s', (url) => {
    expect(isAllowedExternal(url)).toBe(true);
  });

  it.each([
    ['plain http', 'http://meet.clinic.example/room'],
    ['another host', 'https://evil.example/room'],
    ['a look-alike suffix', 'https://meet.clinic.example.evil.example/room'],
    ['a subdomain of an allowed host', 'https://x.meet.clinic.example/room'],
    ['credentials in the URL', 'https://user:pw@meet.clinic.example/room'],
    ['user-info trick', 'https://meet.clinic.example@evil.example/room'],
    ['an explicit port', 'https://meet.clinic.example:8443/room'],
    ['file:', 'file:///etc/passwd'],
    ['javascript:', 'javascript:alert(1)'],
    ['a custom handler', 'ms-msdt:/id PCWDiagnostic'],
    ['smb share', 'smb://meet.clinic.example/share'],
    ['embedded newline', 'https://meet.clinic.example/ro\nom'],
    ['leading space', ' https://meet.clinic.example/room'],
    ['an IDN look-alike', 'https://meet.clinіc.example/room'],
    ['not a URL', 'meet.clinic.example/room'],
    ['empty', ''],
    ['too long', `https://meet.clinic.example/${'a'.repeat(3000)}`],
  ])('refuses %s', (_why, url) => {
    expect(isAllowedExternal(url)).toBe(false);
  });

  it('refuses non-strings', () => {
    for (const value of [undefined, null, 42, {}, ['https://meet.clinic.example/']])
      expect(isAllowedExternal(value)).toBe(false);
  });

  it('returns the normalized URL, which is what gets opened', () => {
    expect(allowedExternalUrl('https://MEET.clinic.example/a/../room')).toBe(
      'https://meet.clinic.example/room',
    );
  });

  it('uses a configured list instead of the default', () => {
    const hosts = parseHostList('telehealth.example.org, VISIT.example.net');
    expect(hosts).toEqual(['telehealth.example.org', 'visit.example.net']);
    expect(isAllowedExternal('https://telehealth.example.org/x', hosts)).toBe(true);
    expect(isAllowedExternal('https://meet.clinic.example/x', hosts)).toBe(false);
  });

  it('drops anything in the configured list that is not a plain host name', () => {
    expect(
      parseHostList('*.example.org, https://a.example.org, a.example.org:443, 10.0.0.1, ok.example.org'),
    ).toEqual(['ok.example.org']);
    expect(parseHostList('*, ,')).toEqual([]);
  });

  it('falls back to the default list only when nothing is configured', () => {
    expect(parseHostList(undefined)).toEqual(DEFAULT_VIRTUAL_VISIT_HOSTS);
    expect(parseHostList('  ')).toEqual(DEFAULT_VIRTUAL_VISIT_HOSTS);
    expect(Object.isFrozen(DEFAULT_VIRTUAL_VISIT_HOSTS)).toBe(true);
  });
});
