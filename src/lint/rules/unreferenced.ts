import { policyTemplates } from '../../effective';
import { attributeValue, findNamedValueReferences, namedValueNamesIn, walkElements } from '../../policy/query';
import { namesBackend, yamlStrings } from '../checks';
import { ruleDocsPath, type LintContext, type Rule } from '../context';
import { resourceDocuments } from '../../repo/documents';

export const unreferenced: Rule = {
  id: 'unreferenced',
  defaultSeverity: 'warn',
  description:
    'A named value, backend or policy fragment that nothing in the repository references: no policy, API, backend or environment value uses it. An orphaned secret or backend is a liability nobody reviews; remove it, or reference it.',
  docsUrl: ruleDocsPath('unreferenced'),
  check(ctx) {
    const uses = collectReferences(ctx);
    const model = ctx.rendered.model;
    for (const namedValue of model.namedValues) {
      const name = namedValue.definition.data?.displayName ?? namedValue.id;
      if (uses.namedValues.has(name.toLowerCase()) || uses.mentions(name)) continue;
      const kind = namedValue.definition.data?.secret || namedValue.definition.data?.keyVault ? 'secret named value' : 'named value';
      ctx.report({ pos: namedValue.definition.locate(['displayName']), message: `${kind} ${name} is referenced nowhere (no {{${name}}} in a policy or backend); remove it or use it` });
    }
    for (const backend of model.backends) {
      if (uses.backends.has(backend.id) || uses.mentions(backend.id)) continue;
      ctx.report({ pos: backend.definition.locate(['url']), message: `backend ${backend.id} is referenced nowhere (no API's backend, no backend-id in a policy); remove it or use it` });
    }
    for (const [id, file] of ctx.fragments) {
      if (uses.fragments.has(id) || uses.mentions(id)) continue;
      ctx.report({ pos: file.document.root.pos, message: `policy fragment ${id} is included nowhere (no <include-fragment fragment-id="${id}" />); remove it or include it` });
    }
  },
};

interface References {
  /** displayNames referenced as `{{name}}`, lower case (APIM matches them without regard to case). */
  namedValues: Set<string>;
  backends: Set<string>;
  fragments: Set<string>;
  /**
   * True when a name appears where its role cannot be read for sure: an environment value (used by a template in some
   * environment, e.g. `backend-id="{{values.functionsBackendId}}"`), a policy expression choosing a backend, a policy
   * template that did not render or parse, or a YAML file that did not load or broke its schema (one that could not
   * be read at all might name anything). Counting those as references keeps the rule free of false alarms.
   */
  mentions(name: string): boolean;
}

function collectReferences(ctx: LintContext): References {
  const { model } = ctx.rendered;
  const namedValues = new Set<string>();
  const backends = new Set<string>();
  const fragments = new Set<string>();
  const loose: string[] = [];
  for (const file of ctx.policies) {
    for (const reference of findNamedValueReferences(file.document)) namedValues.add(reference.name.toLowerCase());
    walkElements(file.document.root, (element) => {
      if (element.name === 'include-fragment') fragments.add(attributeValue(element, 'fragment-id') ?? '');
      for (const attribute of element.attributes) {
        if (!namesBackend(attribute.name)) continue;
        backends.add(attribute.value.trim());
        loose.push(attribute.value);
      }
    });
  }
  for (const api of model.apis) if (api.definition.data?.backend) backends.add(api.definition.data.backend);
  const documents = resourceDocuments(model);
  for (const { data } of documents) {
    for (const { value } of yamlStrings(data)) for (const name of namedValueNamesIn(value)) namedValues.add(name.toLowerCase());
  }
  for (const environment of Object.values(model.config.data?.environments ?? {})) {
    for (const { value } of yamlStrings(environment.values)) loose.push(value);
  }
  const parsed = new Set(ctx.policies.map((file) => file.source.file));
  for (const { source } of policyTemplates(model)) if (!parsed.has(source.file)) loose.push(source.text);
  // A YAML file that did not load or broke its schema lost the properties that may have referenced something.
  const failed = new Set(ctx.rendered.findings.map((finding) => finding.file));
  const damaged = documents.filter((doc) => failed.has(doc.file));
  const unknowable = damaged.some((doc) => doc.text === undefined);
  for (const doc of damaged) loose.push(doc.text ?? '');
  return {
    namedValues,
    backends,
    fragments,
    mentions: (name) => unknowable || loose.some((text) => containsWord(text, name)),
  };
}

/** `name` in `text` not as part of a longer id (ids are letters, digits, `-`, `_` and `.`). */
function containsWord(text: string, name: string): boolean {
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const before = text[at - 1];
    const after = text[at + name.length];
    if (!(before && /[\w.-]/.test(before)) && !(after && /[\w-]/.test(after))) return true;
  }
  return false;
}
