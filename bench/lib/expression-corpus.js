'use strict';
// The real-world policy corpus for the expression-coverage bench: every policy XML file of the given source trees
// (a working tree, or a bare git mirror as the `fetch` tool leaves it), each expression with its position and the
// set-variable names assigned before it in the same document.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { parsePolicy, splitExpressions } = require('../../src/policy/index.ts');

/** `[{ file, text }]` of the `.xml` files holding a `<policies>` or `<fragment>` root under `source`. */
function policyFiles(source) {
  const bare = fs.existsSync(path.join(source, 'HEAD')) && fs.existsSync(path.join(source, 'objects'));
  const names = bare
    ? execFileSync('git', ['--git-dir', source, 'ls-tree', '-r', '--name-only', 'HEAD'], { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n')
    : walk(source);
  return names
    .filter((name) => name.toLowerCase().endsWith('.xml'))
    .map((name) => ({
      file: `${path.basename(source === '.' ? process.cwd() : source.replace(/\/repo$/, ''))}/${name}`,
      text: bare
        ? execFileSync('git', ['--git-dir', source, 'show', `HEAD:${name}`], { encoding: 'utf8', maxBuffer: 1 << 26 })
        : fs.readFileSync(path.join(source, name), 'utf8'),
    }))
    .filter(({ text }) => /<(policies|fragment)[\s>]/.test(text));
}

function walk(root, prefix = '') {
  const out = [];
  for (const entry of fs.readdirSync(path.join(root, prefix), { withFileTypes: true })) {
    if (entry.name === '.git' || entry.name === 'node_modules') continue;
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...walk(root, name));
    else out.push(name);
  }
  return out;
}

/**
 * The expressions of one policy in document order: `{ text, pos, element, attribute?, variables, setsVariable? }`
 * (`variables`: the names set before it; `setsVariable`: the variable a set-variable value expression assigns).
 * Unparseable documents give `{ unparsed: message }`.
 */
function policyExpressions({ file, text }) {
  // Snippets are often written XML-escaped (as the portal shows them): read their expressions decoded, as apiops
  // reads repository files.
  const { document, findings } = parsePolicy(text, file, { expressionEntities: 'decoded' });
  if (!document) return { unparsed: findings[0]?.message ?? 'unparseable' };
  const expressions = [];
  const variables = [];
  const visit = (element) => {
    const setsVariable = element.name === 'set-variable' ? element.attributes.find((a) => a.name === 'name')?.value : undefined;
    for (const attribute of element.attributes) {
      for (const segment of splitExpressions(attribute.value)) {
        if (!segment.expression) continue;
        expressions.push({ text: segment.text, pos: attribute.pos, element: element.name, attribute: attribute.name, variables: [...variables], setsVariable: attribute.name === 'value' ? setsVariable : undefined });
      }
    }
    for (const child of element.children) {
      if (child.type === 'element') visit(child);
      else if (child.type === 'text' || child.type === 'cdata') {
        for (const segment of splitExpressions(child.value)) {
          if (segment.expression) expressions.push({ text: segment.text, pos: child.pos, element: element.name, variables: [...variables] });
        }
      }
    }
    const name = element.attributes.find((a) => a.name === 'name')?.value;
    if (element.name === 'set-variable' && name) variables.push(name);
    for (const attr of ['response-variable-name', 'output-token-variable-name', 'variable-name']) {
      const value = element.attributes.find((a) => a.name === attr)?.value;
      if (value) variables.push(value);
    }
  };
  visit(document.root);
  return { expressions };
}

module.exports = { policyFiles, policyExpressions };
