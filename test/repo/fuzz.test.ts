import * as fs from 'fs';
import * as path from 'path';
import { seededRandom } from '../../src/emulator/random';
import { lintRepository } from '../../src/lint';
import { loadAndRender } from '../../src/render';
import { makeRepo, MINIMAL_REPO, removeRepo } from '../fixtures/repo';

const SPICE = ['<', '>', '&', '"', "'", ':', '- ', '{{', '}}', '@(', '@{', ')', '}', '*a', '&a ', '\n', '\t', '\u0000', '\u00ff', '<!DOCTYPE x>', ']]>', '<![CDATA['];

/** Deletes, duplicates, truncates or splices syntax-significant characters into `text`. */
function mutate(text: string, next: () => number): string {
  let result = text;
  const edits = 1 + Math.floor(next() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (result.length + 1));
    const choice = next();
    if (choice < 0.25) result = result.slice(0, at);
    else if (choice < 0.5) result = result.slice(0, at) + result.slice(at + 1 + Math.floor(next() * 20));
    else if (choice < 0.75) result = result.slice(0, at) + SPICE[Math.floor(next() * SPICE.length)] + result.slice(at);
    else result = result.slice(0, at) + result.slice(Math.floor(next() * result.length));
  }
  return result;
}

describe('mutated repositories never crash load, render or lint', () => {
  const files = Object.keys(MINIMAL_REPO);
  const root = makeRepo();
  afterAll(() => removeRepo(root));

  it.each(files)('%s (25 seeded mutations)', (file) => {
    const next = seededRandom(files.indexOf(file) + 1);
    for (let i = 0; i < 25; i++) {
      const mutated = mutate(MINIMAL_REPO[file], next);
      fs.writeFileSync(path.join(root, file), mutated);
      try {
        const rendered = loadAndRender(root, undefined, {});
        const findings = lintRepository(rendered);
        for (const finding of findings) {
          expect(finding.line).toBeGreaterThanOrEqual(1);
          expect(finding.column).toBeGreaterThanOrEqual(1);
        }
      } catch (error) {
        throw new Error(`mutation ${i} of ${file} crashed: ${(error as Error).stack}\n--- input ---\n${mutated}`);
      }
    }
    fs.writeFileSync(path.join(root, file), MINIMAL_REPO[file]);
  });
});
