import type { Finding } from '../../diagnostics';
import type { RuleMetadata } from '../../lint';
import { packageInfo } from '../../package-root';
import { messageOf, sortFindings } from './findings';

/**
 * A rule's documentation page on the project's repository (package.json `repository`, else `homepage`): a link GitHub
 * code scanning users can open. A file path of the machine that ran validate would be a dead link for everyone else.
 */
function helpUri(rule: RuleMetadata, repositoryUrl: string | undefined): string | undefined {
  if (/^https:\/\//i.test(rule.helpUri)) return rule.helpUri;
  return repositoryUrl ? `${repositoryUrl}/blob/HEAD/${rule.helpUri}` : undefined;
}

/** `base-inherited` → `BaseInherited`: SARIF's `name` is a readable identifier distinct from the id. */
export function ruleName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('');
}

/** The description's first sentence: GitHub shows `shortDescription` as the rule's title. */
function firstSentence(text: string): string {
  const end = text.search(/(?<!\b(?:e\.g|i\.e))\.(\s|$)/);
  return end < 0 ? text : text.slice(0, end + 1);
}

function sarifLevel(severity: Finding['severity']): 'error' | 'warning' {
  return severity === 'error' ? 'error' : 'warning';
}

/**
 * SARIF 2.1.0 log for GitHub code scanning, accepted as it is: rule metadata in the driver (readable name, short and
 * full description, https help link, help text), one result per finding with a location relative to the checkout.
 */
export function formatSarif(findings: readonly Finding[], rules: readonly RuleMetadata[]): string {
  const info = packageInfo();
  const known = new Map(rules.map((rule) => [rule.id, rule]));
  const sorted = sortFindings(findings);
  for (const finding of sorted) {
    if (!known.has(finding.rule)) {
      known.set(finding.rule, { id: finding.rule, description: finding.rule, helpUri: `docs/rules/${finding.rule}.md`, defaultSeverity: finding.severity });
    }
  }
  const driverRules = [...known.values()];
  const index = new Map(driverRules.map((rule, i) => [rule.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'apiops',
            version: info.version,
            semanticVersion: info.version,
            ...(info.repositoryUrl ? { informationUri: info.repositoryUrl } : {}),
            rules: driverRules.map((rule) => {
              const uri = helpUri(rule, info.repositoryUrl);
              return {
                id: rule.id,
                name: ruleName(rule.id),
                shortDescription: { text: firstSentence(rule.description) },
                fullDescription: { text: rule.description },
                ...(uri ? { helpUri: uri } : {}),
                help: { text: `${rule.description}${uri ? ` See ${uri}` : ''}`, ...(rule.helpMarkdown ? { markdown: rule.helpMarkdown } : {}) },
                defaultConfiguration: { level: sarifLevel(rule.defaultSeverity) },
              };
            }),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: sorted.map((finding) => ({
          ruleId: finding.rule,
          ruleIndex: index.get(finding.rule),
          level: sarifLevel(finding.severity),
          message: { text: messageOf(finding) },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: finding.file.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' },
                region: { startLine: finding.line, startColumn: finding.column },
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
