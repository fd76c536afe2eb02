import { redactingOutput } from '../../src/cli/command';
import { secretRedactor } from '../../src/known-secrets';
import { captureIO } from '../fixtures/repo';

const SECRET = { namedValue: 'db-password', displayName: 'db-password', value: 'a"b<c&d e' };

describe('redacting known secret values', () => {
  it('hides the value as it is and as JSON, XML and a URL print it', () => {
    const redact = secretRedactor([SECRET]);
    const forms = ['a"b<c&d e', 'a\\"b<c&d e', 'a&quot;b&lt;c&amp;d e', 'a%22b%3Cc%26d%20e'];
    for (const form of forms) expect(redact(`before ${form} after`)).toBe('before <secret: db-password> after');
  });

  it('replaces in one pass (a value inside another secret\'s replacement stays), longer values first, and skips values too short to find', () => {
    const redact = secretRedactor([
      { namedValue: 'a', displayName: 'a', value: 'secret' },
      { namedValue: 'b', displayName: 'b', value: 'secret-longer' },
      { namedValue: 'c', displayName: 'c', value: 'abc' },
    ]);
    expect(redact('secret-longer secret abc')).toBe('<secret: b> <secret: a> abc');
  });

  it('covers everything written through a command\'s output once told, stdout and stderr alike', () => {
    const captured = captureIO('/');
    const io = redactingOutput(captured);
    io.stdout(`early ${SECRET.value}\n`);
    io.redact([SECRET]);
    io.stdout(`out ${SECRET.value}\n`);
    io.stderr(`error: ARM said ${JSON.stringify(SECRET.value)}\n`);
    expect(captured.out).toBe(`early ${SECRET.value}\nout <secret: db-password>\n`);
    expect(captured.err).toBe('error: ARM said "<secret: db-password>"\n');
    expect(io.redacted(`file ${SECRET.value}`)).toBe('file <secret: db-password>');
  });
});
