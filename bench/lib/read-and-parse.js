'use strict';
// The floor of `apiops validate`, run as its own process: `node bench/lib/read-and-parse.js ROOT` reads every file
// under ROOT once and parses it with the plainest parser for its kind: JSON.parse, the yaml library's parse, and
// fast-xml-parser (attributes included). Prints the number of files parsed.
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const { XMLParser } = require('fast-xml-parser');

const xml = new XMLParser({ ignoreAttributes: false, preserveOrder: true });
let files = 0;
function parseAll(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      parseAll(file);
      continue;
    }
    const text = fs.readFileSync(file, 'utf8');
    if (entry.name.endsWith('.json')) JSON.parse(text);
    else if (entry.name.endsWith('.xml')) xml.parse(text);
    else YAML.parse(text);
    files++;
  }
}
parseAll(process.argv[2]);
process.stdout.write(`${files}\n`);
