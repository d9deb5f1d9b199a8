/**
 * electron-builder.yml, checked as data: fuses, asar, and that no host, server, test or bench code can ship.
 * A tiny parser for the YAML subset the file uses (maps, lists of scalars, comments, quoted strings),
 * so no YAML dependency is needed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

function scalar(text: string): Yaml {
  const t = text.trim();
  if (/^".*"$/.test(t) || /^'.*'$/.test(t)) return t.slice(1, -1);
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null' || t === '~') return null;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  return t;
}

function stripComment(line: string): string {
  // A '#' starts a comment unless it sits inside quotes.
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

function parseYamlSubset(source: string): Yaml {
  const lines = source
    .split(/\r?\n/)
    .map(stripComment)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      if (/\t/.test(l)) throw new Error('tabs are not YAML indentation');
      return { indent: l.length - l.trimStart().length, text: l.trim() };
    });
  let i = 0;
  function block(indent: number): Yaml {
    if (lines[i]?.text.startsWith('- ')) {
      const list: Yaml[] = [];
      while (i < lines.length && lines[i]!.indent === indent && lines[i]!.text.startsWith('- ')) {
        list.push(scalar(lines[i]!.text.slice(2)));
        i++;
      }
      return list;
    }
    const map: { [key: string]: Yaml } = {};
    while (i < lines.length && lines[i]!.indent === indent) {
      const m = /^([^:]+):(?:\s+(.*))?$/.exec(lines[i]!.text);
      if (!m) throw new Error(`cannot parse line: ${lines[i]!.text}`);
      const key = m[1]!.trim();
      if (key in map) throw new Error(`duplicate key ${key}`);
      i++;
      if (m[2] !== undefined && m[2] !== '') map[key] = scalar(m[2]);
      else if (i < lines.length && lines[i]!.indent > indent) map[key] = block(lines[i]!.indent);
      else if (i < lines.length && lines[i]!.indent === indent && lines[i]!.text.startsWith('- '))
        map[key] = block(indent);
      else map[key] = null;
    }
    if (i < lines.length && lines[i]!.indent > indent) throw new Error(`bad indentation: ${lines[i]!.text}`);
    return map;
  }
  const doc = block(0);
  if (i !== lines.length) throw new Error(`unparsed from: ${lines[i]!.text}`);
  return doc;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const config = parseYamlSubset(
  fs.readFileSync(path.join(repoRoot, 'electron-builder.yml'), 'utf8'),
) as Record<string, Yaml>;
const files = config.files as string[];

// A glob as a RegExp: "**/" is any folders (or none), "**" anything, "*" and "?" stay within one path segment.
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (glob.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      re += '.*';
      i += 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Does an electron-builder `files` list (globs, '!' excludes, last match wins) ship this path? */
function ships(file: string): boolean {
  let included = false;
  for (const pattern of files) {
    const exclude = pattern.startsWith('!');
    const glob = exclude ? pattern.slice(1) : pattern;
    if (globToRegExp(glob).test(file)) included = !exclude;
  }
  return included;
}

describe('the glob matcher', () => {
  it('matches like electron-builder globs', () => {
    expect(globToRegExp('out/**').test('out/main/index.js')).toBe(true);
    expect(globToRegExp('**/*.test.*').test('a/b/x.test.js')).toBe(true);
    expect(globToRegExp('**/*.test.*').test('x.test.js')).toBe(true);
    expect(globToRegExp('*.json').test('a/package.json')).toBe(false);
    expect(globToRegExp('package.json').test('packageXjson')).toBe(false);
  });
});

describe('the tiny YAML parser', () => {
  it('reads maps, lists, quotes, booleans and comments', () => {
    expect(
      parseYamlSubset(
        'a: 1 # one\nb:\n  c: true\n  d:\n    - "!x/**"\n    - y\ne: "#not a comment"\nf:\n- z\n',
      ),
    ).toEqual({
      a: 1,
      b: { c: true, d: ['!x/**', 'y'] },
      e: '#not a comment',
      f: ['z'],
    });
  });

  it('refuses what it does not understand instead of guessing', () => {
    expect(() => parseYamlSubset('a: 1\na: 2')).toThrow(/duplicate/);
    expect(() => parseYamlSubset('a:\n\t- x')).toThrow(/tabs/);
    expect(() => parseYamlSubset('a: 1\n    b: 2')).toThrow();
  });
});

describe('electron-builder.yml', () => {
  it('identifies the product', () => {
    expect(config.productName).toBe('Clinic Console');
    expect(config.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
  });

  it('sets every fuse to its secure value', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs the app into asar, with native addons unpacked', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(['**/*.node']);
  });

  it('builds AppImage and deb for Linux, with an icon that exists', () => {
    const linux = config.linux as Record<string, Yaml>;
    expect(linux.target).toEqual(['AppImage', 'deb']);
    expect(fs.existsSync(path.join(repoRoot, linux.icon as string))).toBe(true);
  });

  it.each([
    'out/main/index.js',
    'out/preload/index.cjs',
    'out/renderer/index.html',
    'out/renderer/assets/index-abc.js',
    'package.json',
  ])('ships %s', (file) => expect(ships(file)).toBe(true));

  it.each([
    'src-main/host/host.ts',
    'src-main/index.ts',
    'out/main/host/bridge.js',
    'server/cli.ts',
    'server/index.js',
    'tests/electron/electron-e2e.test.ts',
    'bench/run.ts',
    'scripts/e2e.mjs',
    'out/main/index.test.js',
    'out/renderer/assets/index-abc.js.map',
    'src-shared/contract.ts',
    '.env',
    'electron-builder.yml',
  ])('does not ship %s', (file) => expect(ships(file)).toBe(false));

  it('publishes nowhere by itself', () => {
    expect(config.publish).toBeNull();
  });
});
