import type { Finding } from '../../diagnostics';
import { messageOf, sortFindings } from './findings';

/** Escaping of GitHub Actions workflow commands (as in @actions/core): message data, then property values. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::error file=…,line=…,col=…,title=…::message` annotations for GitHub Actions. */
export function formatGithub(findings: readonly Finding[]): string {
  return sortFindings(findings)
    .map((f) => {
      const command = f.severity === 'error' ? 'error' : 'warning';
      const properties = `file=${escapeProperty(f.file)},line=${f.line},col=${f.column},title=${escapeProperty(`apiops ${f.rule}`)}`;
      return `::${command} ${properties}::${escapeData(messageOf(f))}\n`;
    })
    .join('');
}
