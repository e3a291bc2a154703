/**
 * The store seams stay seams: a second implementation (PostgreSQL, issue 17) is written against the files of
 * server/store/ not named `sqlite-*.ts`, so those import no database driver and no SQLite module, import only
 * types (nothing runs when a seam is loaded), and state the contract of every method they declare.
 */
import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const STORE_DIR = new URL('../../../server/store/', import.meta.url);
const seams = readdirSync(STORE_DIR).filter((f) => f.endsWith('.ts') && !f.startsWith('sqlite-'));

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(new URL(file, STORE_DIR), 'utf8'), ts.ScriptTarget.Latest, true);
}

describe('store seams', () => {
  it('exist for every area the Store composes', () => {
    expect(seams).toEqual(
      expect.arrayContaining([
        'store.ts',
        'incident-store.ts',
        'dossier-store.ts',
        'auth-store.ts',
        'rum-store.ts',
        'report-log.ts',
        'calendar-store.ts',
      ]),
    );
  });

  it.each(seams)('%s imports types only, and neither the driver nor an SQLite module', (file) => {
    const problems: string[] = [];
    for (const statement of parse(file).statements) {
      if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
      const from = statement.moduleSpecifier;
      if (!from || !ts.isStringLiteral(from)) continue;
      if (from.text === 'better-sqlite3' || /(^|\/)sqlite-[^/]*$/.test(from.text))
        problems.push(`imports ${from.text}`);
      const typeOnly = ts.isImportDeclaration(statement)
        ? statement.importClause?.isTypeOnly === true
        : statement.isTypeOnly;
      if (!typeOnly) problems.push(`imports ${from.text} at run time`);
    }
    expect(problems).toEqual([]);
  });

  it.each(seams)('%s documents every method of its interfaces', (file) => {
    const undocumented: string[] = [];
    for (const statement of parse(file).statements) {
      if (!ts.isInterfaceDeclaration(statement)) continue;
      for (const member of statement.members) {
        const isMethod = ts.isMethodSignature(member);
        const isSubStore =
          ts.isPropertySignature(member) && /^(?!\w*ToStore$)\w+(Store|Log)$/.test(member.type?.getText() ?? '');
        if ((isMethod || isSubStore) && ts.getJSDocCommentsAndTags(member).length === 0)
          undocumented.push(`${statement.name.text}.${member.name?.getText()}`);
      }
    }
    expect(undocumented).toEqual([]);
  });
});
