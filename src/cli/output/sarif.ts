import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Finding } from '../../diagnostics';
import type { RuleMetadata } from '../../lint';
import { packageInfo, packageRoot, type PackageInfo } from '../../package-root';
import { sortFindings } from './findings';


/**
 * Rule docs live in docs/rules/ of the package: linked on the project's repository when package.json names one
 * (what GitHub code scanning users can open), else as a file URL of the installed copy.
 */
function absoluteHelpUri(helpUri: string, info: PackageInfo): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(helpUri)) return helpUri;
  return info.repositoryUrl ? `${info.repositoryUrl}/blob/HEAD/${helpUri}` : pathToFileURL(path.join(packageRoot(), helpUri)).href;
}

function sarifLevel(severity: Finding['severity']): 'error' | 'warning' {
  return severity === 'error' ? 'error' : 'warning';
}

/** SARIF 2.1.0 log for GitHub code scanning: rule metadata in the driver, one result per finding with its region. */
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
            rules: driverRules.map((rule) => ({
              id: rule.id,
              name: rule.id,
              shortDescription: { text: rule.description },
              helpUri: absoluteHelpUri(rule.helpUri, info),
              ...(rule.helpMarkdown ? { help: { text: rule.description, markdown: rule.helpMarkdown } } : {}),
              defaultConfiguration: { level: sarifLevel(rule.defaultSeverity) },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: sorted.map((finding) => ({
          ruleId: finding.rule,
          ruleIndex: index.get(finding.rule),
          level: sarifLevel(finding.severity),
          message: { text: finding.message },
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
