import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every string a person reads goes through i18next. This walks the web app's source files and lists
 * what would reach the screen untranslated: JSX text with letters, human-facing attributes
 * (aria-label, placeholder, title, alt, …) given as literals, and sentence-like string literals
 * anywhere else in a component file. The brand name is the one exception; a line may opt out with
 * an `i18n-ignore` comment saying why.
 */
const srcDir = dirname(fileURLToPath(import.meta.url));

function tsxFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return tsxFiles(path);
    return /\.tsx?$/.test(path) && !/\.(test|d)\.tsx?$/.test(path) ? [path] : [];
  });
}

const humanAttributes = new Set([
  'aria-label',
  'aria-roledescription',
  'aria-valuetext',
  'placeholder',
  'title',
  'alt',
  'label',
  'disabledReason',
  'pendingLabel',
]);
/** Attributes whose literal values are code, not text. */
const codeAttributes = new Set([
  'className',
  'id',
  'href',
  'type',
  'name',
  'role',
  'lang',
  'dir',
  'data-testid',
  'key',
]);
const allowedText = new Set(['Calma']);
const hasLetters = (text: string) => /\p{L}/u.test(text);
/** Two or more words of letters: a phrase a person reads (keys, ids and class names have no spaces). */
const sentenceLike = (text: string) => /\p{L}{2,}.*\s.*\p{L}{2,}/su.test(text);

function untranslated(path: string): string[] {
  const source = readFileSync(path, 'utf8');
  const file = ts.createSourceFile(
    path,
    source,
    ts.ScriptTarget.Latest,
    true,
    path.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const lines = source.split('\n');
  const found: string[] = [];
  const report = (node: ts.Node, text: string) => {
    const line = file.getLineAndCharacterOfPosition(node.getStart()).line;
    if (/i18n-ignore/.test(lines[line] ?? '') || /i18n-ignore/.test(lines[line - 1] ?? '')) return;
    found.push(`${relative(srcDir, path)}:${line + 1}: ${JSON.stringify(text.trim().slice(0, 60))}`);
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node)) {
      const text = node.getText().trim();
      if (hasLetters(text) && !allowedText.has(text)) report(node, text);
    } else if (ts.isJsxAttribute(node)) {
      const name = node.name.getText();
      const value = node.initializer;
      if (codeAttributes.has(name)) return;
      if (value && ts.isStringLiteral(value) && humanAttributes.has(name) && hasLetters(value.text)) {
        report(node, value.text);
        return;
      }
    } else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      const parent = node.parent;
      const isImport =
        ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent) || ts.isExternalModuleReference(parent);
      const isKey = ts.isPropertyAssignment(parent) && parent.name === node;
      const isCall =
        (ts.isCallExpression(parent) || ts.isNewExpression(parent)) &&
        /^(t|i18n\.t|i18next\.t|console\.\w+|Error|querySelector\w*|new Error)$/.test(parent.expression.getText());
      if (!isImport && !isKey && !isCall && sentenceLike(node.text) && !ts.isJsxAttribute(parent))
        report(node, node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('every UI string goes through i18next', () => {
  const files = tsxFiles(srcDir);
  it('finds the component files', () => {
    expect(files.length).toBeGreaterThan(20);
  });
  it('leaves no literal text in components', () => {
    expect(files.flatMap(untranslated)).toEqual([]);
  });
});
