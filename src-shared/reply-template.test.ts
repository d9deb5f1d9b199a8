import { describe, expect, it } from 'vitest';
import { fieldsOf, fillTemplate } from './reply-template';

const values = { first_name: 'Ana', provider: 'Dr. Okafor', clinic_phone: '+1 555 0100' };

describe('fillTemplate', () => {
  it('fills the three fields, with or without spaces inside the braces', () => {
    expect(
      fillTemplate('Dear {{first_name}}, {{ provider }} will call you. Questions: {{clinic_phone}}.', values),
    ).toEqual({ text: 'Dear Ana, Dr. Okafor will call you. Questions: +1 555 0100.', missing: [] });
  });

  it.each([
    ['{{provider}}', 'Dear {{provider}}, Dr. Okafor will call you.'],
    ['${x}', 'Dear ${x}, Dr. Okafor will call you.'],
    ['{clinic_phone}', 'Dear {clinic_phone}, Dr. Okafor will call you.'],
    ['$&', 'Dear $&, Dr. Okafor will call you.'],
    ["$'$`$1", "Dear $'$`$1, Dr. Okafor will call you."],
    ['{{first_name}}', 'Dear {{first_name}}, Dr. Okafor will call you.'],
  ])('a patient named %s is written as text, never as template syntax', (name, expected) => {
    const out = fillTemplate('Dear {{first_name}}, {{provider}} will call you.', {
      ...values,
      first_name: name,
    });
    expect(out).toEqual({ text: expected, missing: [] });
  });

  it('leaves a field without a value in place and names it', () => {
    expect(
      fillTemplate('{{provider}} at {{clinic_phone}}', { ...values, provider: null, clinic_phone: ' ' }),
    ).toEqual({ text: '{{provider}} at {{clinic_phone}}', missing: ['provider', 'clinic_phone'] });
  });

  it('leaves unknown placeholders and other syntax as text', () => {
    const template = 'Hi {{name}} ${first_name} {first_name} {{{first_name}}}';
    expect(fillTemplate(template, values).text).toBe('Hi {{name}} ${first_name} {first_name} {Ana}');
    expect(fieldsOf('{{provider}} {{provider}} {{first_name}} {{x}}')).toEqual(['provider', 'first_name']);
  });
});
