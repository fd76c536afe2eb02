import type { SourcePos } from '../../diagnostics';
import type { PolicyElement } from '../../policy/ast';
import { attributeValue, childElements, textContent, walkElements } from '../../policy/query';
import type { YamlDocument, YamlPath } from '../../repo/model';
import { yamlStrings } from '../checks';
import { ruleDocsPath, type LintContext, type Rule } from '../context';
import { MIN_FINDABLE_SECRET_LENGTH, type KnownSecret } from '../../known-secrets';
import { isLiteralCredential, isSecretName, SECRET_ADVICE, secretShape } from '../secrets';

/** Policies whose `<value>` children carry the value of the header or parameter they name. */
const NAMED_VALUE_HOLDERS = new Set(['set-header', 'set-query-parameter', 'check-header']);
/** validate-jwt key lists whose `<key>` text is a symmetric (shared-secret) key; RSA keys use attributes instead. */
const SYMMETRIC_KEY_LISTS = new Set(['issuer-signing-keys', 'decryption-keys']);
const SUPPRESSION_DIRECTIVE = /^\s*apiops-disable-next-line\b/;

export const inlineSecret: Rule = {
  id: 'inline-secret',
  defaultSeverity: 'error',
  description: 'A literal secret (password, client secret, subscription or account key, SAS signature, JWT, private key, credentials in a URL) in policy XML or repository YAML instead of a secret named value.',
  docsUrl: ruleDocsPath('inline-secret'),
  check(ctx) {
    for (const file of ctx.policies) {
      for (const comment of [...file.document.prolog, ...(file.document.epilog ?? [])]) checkText(ctx, comment.value, comment.pos, 'a comment');
      walkElements(file.document.root, (element) => checkElement(ctx, element));
    }
    const { model } = ctx.rendered;
    checkYaml(ctx, model.config);
    for (const api of model.apis) checkYaml(ctx, api.definition);
    for (const product of model.products) checkYaml(ctx, product.definition);
    for (const backend of model.backends) checkYaml(ctx, backend.definition, (path) => path[0] === 'credentials');
    for (const namedValue of model.namedValues) {
      const definition = namedValue.definition.data;
      const literal = typeof definition?.value === 'string' && definition.value !== '';
      if (literal && (definition.secret || isSecretName(namedValue.id) || isSecretName(definition.displayName ?? ''))) {
        ctx.report({
          pos: namedValue.definition.locate(['value']),
          message: `named value ${namedValue.id} holds a secret as a literal value in the repository; use valueFromEnv or keyVault instead of value`,
        });
      } else {
        checkYaml(ctx, namedValue.definition);
      }
    }
  },
};

function report(ctx: LintContext, pos: SourcePos, kind: string, where: string): void {
  ctx.report({ pos, message: `literal ${kind} in ${where}; ${SECRET_ADVICE}` });
}

/**
 * A secret whose value this run knows (its valueFromEnv variable is set) spelled out in `text`: whatever its shape,
 * it is the secret. Named, never shown.
 */
function knownSecretIn(ctx: LintContext, text: string): KnownSecret | undefined {
  return ctx.rendered.secrets.find((secret) => secret.value.length >= MIN_FINDABLE_SECRET_LENGTH && text.includes(secret.value));
}

function reportKnownSecret(ctx: LintContext, pos: SourcePos, secret: KnownSecret, where: string): void {
  ctx.report({ pos, message: `the value of secret named value ${secret.namedValue} is written out in ${where}; reference it as {{${secret.displayName}}}` });
}

function checkText(ctx: LintContext, text: string, pos: SourcePos, where: string): void {
  if (SUPPRESSION_DIRECTIVE.test(text)) return;
  const known = knownSecretIn(ctx, text);
  if (known) return reportKnownSecret(ctx, pos, known, where);
  const kind = secretShape(text);
  if (kind) report(ctx, pos, kind, where);
}

function checkElement(ctx: LintContext, element: PolicyElement): void {
  for (const attribute of element.attributes) {
    const where = `${element.name} ${attribute.name}`;
    if (isSecretName(attribute.name) && isLiteralCredential(attribute.value)) report(ctx, attribute.pos, 'credential', where);
    else checkText(ctx, attribute.value, attribute.pos, where);
  }
  for (const child of element.children) {
    if (child.type === 'element') continue;
    checkText(ctx, child.value, child.pos, child.type === 'comment' ? 'a comment' : `<${element.name}>`);
  }
  if (SYMMETRIC_KEY_LISTS.has(element.name)) {
    for (const key of childElements(element, 'key')) {
      if (isLiteralCredential(textContent(key)) && !secretShape(textContent(key))) report(ctx, key.pos, 'symmetric key', `validate-jwt ${element.name}`);
    }
  }
  const name = attributeValue(element, 'name');
  if (NAMED_VALUE_HOLDERS.has(element.name) && name && isSecretName(name)) {
    for (const value of childElements(element, 'value')) {
      if (isLiteralCredential(textContent(value)) && !secretShape(textContent(value))) {
        report(ctx, value.pos, 'credential', `${element.name} ${name}`);
      }
    }
  }
}

/** Checks every string in a YAML document; `credentialBranch` marks subtrees where any literal is a credential. */
function checkYaml(ctx: LintContext, doc: YamlDocument<unknown> | undefined, credentialBranch: (path: YamlPath) => boolean = () => false): void {
  if (!doc) return;
  for (const { value, path, key } of yamlStrings(doc.data)) {
    const where = `${doc.file} (${path.join('.')})`;
    const known = knownSecretIn(ctx, value);
    const kind = secretShape(value);
    if (known) reportKnownSecret(ctx, doc.locate(path), known, where);
    else if (kind) report(ctx, doc.locate(path), kind, where);
    else if ((credentialBranch(path) || (key !== undefined && isSecretName(key))) && isLiteralCredential(value)) report(ctx, doc.locate(path), 'credential', where);
  }
}
