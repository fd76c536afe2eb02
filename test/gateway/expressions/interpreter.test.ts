import {
  compileExpression,
  ExpressionRuntimeError,
  ExpressionSyntaxError,
  jwtValue,
  NameValues,
  responseValue,
  toPolicyString,
  UnsupportedExpressionError,
  type GatewayCallState,
} from '../../../src/gateway/expressions';
import { callState, token } from './call-state';

const POS = { file: 'policies/global.xml', line: 10, column: 20 };

function evaluate(text: string, state: GatewayCallState = callState()): unknown {
  return compileExpression(text, POS).evaluate(state);
}

/** The expression's result as APIM would put it into an attribute or text. */
function text(expression: string, state?: GatewayCallState): string {
  return toPolicyString(evaluate(expression, state));
}

function failure(expression: string, state?: GatewayCallState): unknown {
  try {
    evaluate(expression, state);
  } catch (error) {
    return error;
  }
  throw new Error(`${expression} did not fail`);
}

describe('C# semantics', () => {
  it.each([
    ['@(7 / 2)', '3'],
    ['@(-7 / 2)', '-3'],
    ['@(7 % 3)', '1'],
    ['@(7.0 / 2)', '3.5'],
    ['@(7 / 2.0)', '3.5'],
    ['@((double)7 / 2)', '3.5'],
    ['@((int)3.9)', '3'],
    ['@(1.0 + 1)', '2'],
    ['@(0.1 + 0.2)', '0.30000000000000004'],
    ['@(true)', 'True'],
    ['@(1 < 2 && 2 > 1)', 'True'],
    ['@(false.ToString())', 'False'],
    ['@("a" + 1 + 2)', 'a12'],
    ['@(1 + 2 + "a")', '3a'],
    ['@("x" + null + true)', 'xTrue'],
    ['@("abc" == "a" + "bc")', 'True'],
    ['@((object)null == null)', 'True'],
    ['@(\'a\')', 'a'],
    ['@("tab\\there")', 'tab\there'],
    ['@(@"C:\\path ""quoted""")', 'C:\\path "quoted"'],
    ['@($"{1 + 1} and {{braces}} {"s",4}|{3,-3}|")', '2 and {braces}    s|3  |'],
    ['@($"{3.14159:F2} {42:D5} {255:X} {1234567.891:N1} {0.5:P0}")', '3.14 00042 FF 1,234,567.9 50 %'],
    ['@(string.Format("{0}-{1:000}-{{x}}", "a", 7))', 'a-007-{x}'],
    ['@(int.MaxValue)', '2147483647'],
    ['@(1 << 4 | 1)', '17'],
    ['@(12345678901L >> 8)', '48225308'],
    ['@((byte)(300))', '44'],
    ['@(5 > 3 ? "yes" : "no")', 'yes'],
    ['@(null ?? "fallback")', 'fallback'],
    ['@(-(2.5))', '-2.5'],
    ['@(1e21)', '1E+21'],
    ['@(Math.Round(2.5))', '2'],
    ['@(Math.Round(3.5))', '4'],
    ['@(Math.Round(2.5, MidpointRounding.AwayFromZero))', '3'],
    ['@(Math.Max(3, 7))', '7'],
    ['@(Convert.ToInt32(2.5))', '2'],
  ])('%s → %s', (expression, expected) => {
    expect(text(expression)).toBe(expected);
  });

  it('keeps integers and doubles apart in returned values', () => {
    expect(evaluate('@(5 / 2)')).toBe(2);
    expect(toPolicyString(evaluate('@(5.0 / 2)'))).toBe('2.5');
    expect(evaluate('@(1 == 1.0)')).toBe(true);
  });

  it('integer division by zero is DivideByZeroException, double division is infinity', () => {
    expect(failure('@(1 / 0)')).toMatchObject({ exceptionType: 'DivideByZeroException' });
    expect(text('@(1.0 / 0)')).toBe('∞');
  });

  it('&& and || need bools; ! on a non-bool fails at run time', () => {
    expect(failure('@(context.Variables["count"] && true)')).toMatchObject({ exceptionType: 'InvalidCastException' });
  });

  it('string methods follow .NET', () => {
    expect(text('@("a,b,,c".Split(\',\').Length)')).toBe('4');
    expect(text('@("a,b,,c".Split(new[] { \',\' }, StringSplitOptions.RemoveEmptyEntries).Length)')).toBe('3');
    expect(text('@("a, b;c".Split(new[] { ", ", ";" }, StringSplitOptions.None)[2])')).toBe('c');
    expect(text('@("k=v=w".Split(new[] { \'=\' }, 2)[1])')).toBe('v=w');
    expect(text('@("  padded ".Trim() + "|" + "xxhixx".Trim(\'x\') + "|" + "/a/".TrimEnd(\'/\'))')).toBe('padded|hi|/a');
    expect(text('@("Hello".Substring(1, 3) + "Hello".Substring(3))')).toBe('elllo');
    expect(failure('@("Hello".Substring(4, 3))')).toMatchObject({ exceptionType: 'ArgumentOutOfRangeException' });
    expect(text('@("Bearer abc".StartsWith("bearer", StringComparison.OrdinalIgnoreCase))')).toBe('True');
    expect(text('@("Bearer abc".StartsWith("bearer"))')).toBe('False');
    expect(text('@("MiXeD".ToLowerInvariant() + "MiXeD".ToUpper())')).toBe('mixedMIXED');
    expect(text('@("a-b-c".Replace("-", "+") + "a".PadLeft(3, \'0\'))')).toBe('a+b+c00a');
    expect(text('@("abcabc".IndexOf("c") + "," + "abcabc".LastIndexOf(\'a\') + "," + "abc".IndexOf("z"))')).toBe('2,3,-1');
    expect(text('@(string.IsNullOrEmpty("") && string.IsNullOrEmpty(null) && !string.IsNullOrWhiteSpace(" x "))')).toBe('True');
    expect(text('@(string.Join("|", new List<string> { "a", "b" }) + string.Concat("x", 1, null, true))')).toBe('a|bx1True');
    expect(text('@("abc".Equals("ABC", StringComparison.InvariantCultureIgnoreCase))')).toBe('True');
    expect(text('@("abc"[1])')).toBe('b');
    expect(failure('@("abc"[3])')).toMatchObject({ exceptionType: 'IndexOutOfRangeException' });
  });

  it('parses numbers and booleans as .NET does', () => {
    expect(evaluate('@(int.Parse(" 42 "))')).toBe(42);
    expect(failure('@(int.Parse("4.2"))')).toMatchObject({ exceptionType: 'FormatException', message: 'Input string was not in a correct format.' });
    expect(failure('@(int.Parse("99999999999"))')).toMatchObject({ exceptionType: 'OverflowException' });
    expect(failure('@(int.Parse(null))')).toMatchObject({ exceptionType: 'ArgumentNullException' });
    expect(text('@{ int n; return int.TryParse("12", out n) ? n + 1 : -1; }')).toBe('13');
    expect(text('@(int.TryParse("x", out var n) ? n : -1)')).toBe('-1');
    expect(text('@(bool.Parse("TRUE") && !bool.Parse(" false "))')).toBe('True');
    expect(failure('@(bool.Parse("yes"))')).toMatchObject({ exceptionType: 'FormatException' });
    expect(text('@(double.Parse("1.50").ToString())')).toBe('1.5');
    expect(text('@(long.Parse("-9007199254740991"))')).toBe('-9007199254740991');
  });
});

describe('statements', () => {
  it('runs blocks with typed and implicit locals, if/else, loops and switch', () => {
    const program = `@{
      var words = new List<string>();
      string[] input = { "alpha", "beta", "gamma", "delta" };
      int total = 0;
      foreach (var word in input) {
        if (word.StartsWith("g")) { continue; }
        else if (word == "delta") break;
        words.Add(word.ToUpper());
      }
      for (int i = 0, j = 10; i < 3; i++, j--) { total += i * j; }
      var k = 0;
      while (k < 5) k++;
      do { k += 10; } while (k < 30);
      string size;
      switch (words.Count) {
        case 0: size = "none"; break;
        case 1:
        case 2: size = "few"; break;
        default: size = "many"; break;
      }
      return string.Join(",", words) + " " + total + " " + k + " " + size;
    }`;
    expect(text(program)).toBe('ALPHA,BETA 25 35 few');
  });

  it('declared double locals hold doubles', () => {
    expect(text('@{ double d = 5; return d / 2; }')).toBe('2.5');
  });

  it('supports try/catch by exception type, filters and finally', () => {
    expect(text('@{ try { return JObject.Parse("{").ToString(); } catch (JsonReaderException) { return "bad json"; } }')).toBe('bad json');
    expect(text('@{ try { var x = int.Parse("x"); return "no"; } catch (ArgumentException) { return "arg"; } catch (Exception e) when (e.Message.Contains("format")) { return "format"; } }')).toBe('format');
    expect(text('@{ var log = ""; try { try { throw new InvalidOperationException("boom"); } finally { log += "f"; } } catch (Exception ex) { log += ex.Message; } return log; }')).toBe('fboom');
    expect(failure('@{ try { throw new FormatException("inner"); } catch (FormatException) { throw; } }')).toMatchObject({ exceptionType: 'FormatException', message: 'inner' });
  });

  it('supports local functions (declared after use, recursive, capturing locals)', () => {
    expect(text('@{ int calls = 0; int Fact(int n) { calls++; return n <= 1 ? 1 : n * Fact(n - 1); } var r = Fact(5); return r + "/" + calls; }')).toBe('120/5');
    expect(text('@{ string Greet(string who) => "hi " + who; return Greet("bob"); }')).toBe('hi bob');
  });

  it('rejects a block that can end without returning (CS0161)', () => {
    expect(() => compileExpression('@{ if (true) { return 1; } }', POS)).toThrow(ExpressionSyntaxError);
    expect(() => compileExpression('@{ while (true) { } }', POS)).not.toThrow();
  });

  it('pattern `is T x`, `as` and casts', () => {
    expect(text('@(context.Variables["name"] is string s ? s.Length : -1)')).toBe('6');
    expect(text('@((context.Variables["count"] as string) ?? "not a string")')).toBe('not a string');
    expect(text('@(context.Variables["count"] is int)')).toBe('True');
    expect(failure('@((string)context.Variables["count"])')).toMatchObject({
      exceptionType: 'InvalidCastException',
      message: "Unable to cast object of type 'System.Int32' to type 'System.String'.",
    });
  });

  it('anonymous objects serialize like Newtonsoft', () => {
    expect(text('@(JsonConvert.SerializeObject(new { a = 1, b = "x", c = new[] { true } }))')).toBe('{"a":1,"b":"x","c":[true]}');
    expect(text('@(new { a = 1, b = "x" }.ToString())')).toBe('{ a = 1, b = x }');
  });
});

describe('LINQ and collections', () => {
  it.each([
    ['@(new[] { 3, 1, 2 }.OrderBy(x => x).First())', '1'],
    ['@(new[] { 3, 1, 2 }.OrderByDescending(x => x).ToArray()[0])', '3'],
    ['@(new[] { 1, 2, 3, 4 }.Where(x => x % 2 == 0).Select(x => x * 10).Sum())', '60'],
    ['@(new[] { "a", "bb" }.Any(s => s.Length > 1) + "," + new[] { "a" }.All(s => s == "a"))', 'True,True'],
    ['@(new List<string> { "x" }.FirstOrDefault(s => s == "y") ?? "none")', 'none'],
    ['@(new[] { 1, 1, 2 }.Distinct().Count())', '2'],
    ['@(string.Join(",", new[] { "b", "a" }.Select((s, i) => i + s)))', '0b,1a'],
    ['@(new[] { 1, 2, 3 }.Skip(1).Take(1).Single())', '2'],
    ['@(new Dictionary<string, int> { { "a", 1 }, { "b", 2 } }.Count + new Dictionary<string, int> { ["c"] = 3 }["c"])', '5'],
    ['@{ var d = new Dictionary<string, string>(); d["k"] = "v"; string v; return d.TryGetValue("k", out v) ? v : "-"; }', 'v'],
    ['@(new[] { 1, 2 }.Contains(2))', 'True'],
    ['@(Enumerable.Range(1, 3).Aggregate((a, b) => a * b))', '6'],
  ])('%s → %s', (expression, expected) => {
    expect(text(expression)).toBe(expected);
  });

  it('First on an empty sequence is InvalidOperationException', () => {
    expect(failure('@(new List<int>().First())')).toMatchObject({ exceptionType: 'InvalidOperationException', message: 'Sequence contains no elements' });
  });
});

describe('the context object model', () => {
  it('reads headers case-insensitively, comma-joins multiple values, defaults when absent', () => {
    expect(text('@(context.Request.Headers.GetValueOrDefault("content-type", ""))')).toBe('application/json');
    expect(text('@(context.Request.Headers.GetValueOrDefault("Accept"))')).toBe('application/json,text/plain');
    expect(text('@(context.Request.Headers.GetValueOrDefault("X-Missing", "none"))')).toBe('none');
    expect(evaluate('@(context.Request.Headers.GetValueOrDefault("X-Missing"))')).toBeNull();
    expect(text('@(context.Request.Headers["accept"][1])')).toBe('text/plain');
    expect(text('@(context.Request.Headers.ContainsKey("AUTHORIZATION"))')).toBe('True');
    expect(failure('@(context.Request.Headers["X-Missing"])')).toMatchObject({ exceptionType: 'KeyNotFoundException' });
  });

  it('exposes the URL, query, matched parameters, method and caller IP', () => {
    expect(text('@(context.Request.Url.Host + context.Request.Url.Path + "?" + context.Request.Url.Query.GetValueOrDefault("tag", ""))')).toBe('api.contoso.com/orders/42?a,b');
    expect(text('@(context.Request.Url.QueryString)')).toBe('?expand=items&tag=a&tag=b');
    expect(text('@(context.Request.Url.ToString())')).toBe('https://api.contoso.com/orders/42?expand=items&tag=a&tag=b');
    expect(text('@(context.Request.MatchedParameters["id"] + context.Request.MatchedParameters.GetValueOrDefault("x", "-"))')).toBe('42-');
    expect(text('@(context.Request.Method + " " + context.Request.IpAddress)')).toBe('POST 203.0.113.7');
    expect(text('@(context.Api.ServiceUrl.Host + context.Api.ServiceUrl.Path)')).toBe('backend.contoso.com/api');
  });

  it('reading the body consumes it unless preserveContent is true', () => {
    const state = callState();
    expect(text('@(context.Request.Body.As<JObject>(preserveContent: true)["name"].ToString())', state)).toBe('widget');
    expect(state.request.body!.consumed).toBe(false);
    expect(text('@(context.Request.Body.As<string>(true).Length > 0)', state)).toBe('True');
    expect(text('@(context.Request.Body.As<JObject>()["id"].Value<int>())', state)).toBe('42');
    expect(state.request.body!.consumed).toBe(true);
    expect(text('@(context.Request.Body.As<string>())', state)).toBe('');
    expect(failure('@(context.Request.Body.As<JObject>())', state)).toMatchObject({ exceptionType: 'JsonReaderException' });
  });

  it('a body that is not JSON gives JsonReaderException; no body is null', () => {
    const state = callState();
    state.request.body = { content: 'not json', consumed: false };
    expect(failure('@(context.Request.Body.As<JObject>())', state)).toMatchObject({ exceptionType: 'JsonReaderException' });
    state.request.body = undefined;
    expect(evaluate('@(context.Request.Body == null)', state)).toBe(true);
    expect(failure('@(context.Request.Body.As<string>())', state)).toMatchObject({ exceptionType: 'NullReferenceException' });
  });

  it('variables: indexer, ContainsKey, GetValueOrDefault<T> with defaults and type checks', () => {
    expect(text('@(context.Variables.GetValueOrDefault<int>("count", 0) * 2)')).toBe('6');
    expect(text('@(context.Variables.GetValueOrDefault<int>("missing", 7))')).toBe('7');
    expect(text('@(context.Variables.GetValueOrDefault<bool>("missing"))')).toBe('False');
    expect(evaluate('@(context.Variables.GetValueOrDefault<string>("missing"))')).toBeNull();
    expect(text('@(context.Variables.GetValueOrDefault("name", "x"))')).toBe('widget');
    expect(failure('@(context.Variables.GetValueOrDefault<string>("count"))')).toMatchObject({ exceptionType: 'InvalidCastException' });
    expect(text('@(context.Variables.ContainsKey("flag") && (bool)context.Variables["flag"])')).toBe('True');
    expect(failure('@(context.Variables["nope"])')).toMatchObject({ exceptionType: 'KeyNotFoundException', message: "The given key 'nope' was not present in the dictionary." });
  });

  it('exposes subscription, product, API, operation, deployment, request id and time', () => {
    expect(text('@(context.Subscription.Id + "/" + context.Subscription.Key + "/" + context.Product.Name)')).toBe('sub-1/key-1/Starter');
    expect(text('@(context.Api.Id + context.Api.Path + context.Operation.Method + context.Operation.UrlTemplate)')).toBe('ordersordersGET/orders/{id}');
    expect(text('@(context.Deployment.Region + "|" + context.Deployment.ServiceName)')).toBe('West Europe|apim-contoso');
    expect(text('@(context.RequestId)')).toBe('0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(text('@(context.Elapsed.TotalMilliseconds)')).toBe('2250');
    expect(text('@(DateTime.UtcNow.ToString("o"))')).toBe('2026-01-01T12:00:02.2500000Z');
    expect(text('@(context.Timestamp.ToString("yyyy-MM-ddTHH:mm:ssZ"))')).toBe('2026-01-01T12:00:00Z');
    expect(text('@(context.User?.Id ?? "anonymous")')).toBe('anonymous');
  });

  it('keyless calls have null Subscription and Product; outbound has a Response', () => {
    const state = callState({ subscription: undefined, product: undefined });
    expect(text('@(context.Subscription == null && context.Product == null)', state)).toBe('True');
    expect(failure('@(context.Subscription.Key)', state)).toMatchObject({ exceptionType: 'NullReferenceException' });
    expect(text('@(context.Response?.StatusCode ?? -1)', state)).toBe('-1');
    state.response = { statusCode: 404, statusReason: 'Not Found', headers: new NameValues({ 'Retry-After': '5' }), body: { content: '[1,2]', consumed: false } };
    expect(text('@(context.Response.StatusCode / 100 == 4 ? context.Response.Headers.GetValueOrDefault("retry-after", "") : "")', state)).toBe('5');
    expect(text('@(context.Response.Body.As<JArray>().Count)', state)).toBe('2');
  });

  it('LastError in on-error', () => {
    const state = callState({ lastError: { source: 'validate-jwt', reason: 'TokenExpired', message: 'Lifetime validation failed.', scope: 'api', section: 'inbound', path: 'validate-jwt[1]', policyId: '' } });
    expect(text('@($"{context.LastError.Source}:{context.LastError.Reason}:{context.LastError.Section}")', state)).toBe('validate-jwt:TokenExpired:inbound');
    expect(evaluate('@(context.LastError)')).toBeNull();
  });

  it('send-request responses stored in variables are IResponse', () => {
    const state = callState();
    state.variables.set('resp', responseValue({ statusCode: 200, statusReason: 'OK', headers: new NameValues(), body: { content: '{"access_token":"t","expires_in":3600}', consumed: false } }));
    expect(text('@((string)((IResponse)context.Variables["resp"]).Body.As<JObject>()["access_token"])', state)).toBe('t');
    expect(failure('@((IResponse)context.Variables["name"])', state)).toMatchObject({ exceptionType: 'InvalidCastException' });
  });

  it('context members are read-only', () => {
    expect(() => compileExpression('@{ context = null; return 1; }', POS)).toThrow(ExpressionSyntaxError);
    expect(failure('@{ context.Request.Method = "GET"; return 1; }')).toBeInstanceOf(ExpressionSyntaxError);
    expect(failure('@{ context.Variables["x"] = 1; return 1; }')).toBeInstanceOf(ExpressionSyntaxError);
    expect(failure('@{ context.Request.Headers["x"] = new[] { "1" }; return 1; }')).toBeInstanceOf(ExpressionSyntaxError);
  });
});

describe('JSON (Newtonsoft)', () => {
  const body = '@{ var o = context.Request.Body.As<JObject>(true); ';

  it('indexes, converts with Value<T> and casts, and formats like Newtonsoft', () => {
    expect(text(`${body} return o["tags"][1].ToString() + o.Value<string>("name") + (int)o["id"] + (double)o["price"]; }`)).toBe('bwidget429.5');
    expect(text(`${body} return o["missing"] == null; }`)).toBe('True');
    expect(text(`${body} return o["nested"].ToString(Formatting.None); }`)).toBe('{"ok":true}');
    expect(text(`${body} return o["nested"].ToString(); }`)).toBe('{\n  "ok": true\n}');
    expect(text(`${body} return o.SelectToken("nested.ok").Value<bool>() && o.SelectToken("tags[0]").ToString() == "a"; }`)).toBe('True');
    expect(failure(`${body} return o["missing"].ToString(); }`)).toMatchObject({ exceptionType: 'NullReferenceException' });
    expect(failure(`${body} return (int)o["name"]; }`)).toMatchObject({ exceptionType: 'FormatException' });
  });

  it('parses ISO dates into Date values (the Newtonsoft default)', () => {
    expect(text(`${body} return (string)o["when"]; }`)).toBe('01/02/2024 03:04:05');
    expect(text(`${body} return o["when"].Type.ToString(); }`)).toBe('Date');
    expect(text(`${body} return o.ToString(Formatting.None).Contains("\\"when\\":\\"2024-01-02T03:04:05Z\\""); }`)).toBe('True');
  });

  it('builds objects and arrays', () => {
    expect(text('@(new JObject(new JProperty("a", 1), new JProperty("b", new JArray("x", 2.5, null))).ToString(Formatting.None))')).toBe('{"a":1,"b":["x",2.5,null]}');
    expect(text('@{ var o = new JObject(); o["n"] = 1; o.Add("s", "t"); o["n"] = (int)o["n"] + 1; o.Remove("s"); return o.ToString(Formatting.None); }')).toBe('{"n":2}');
    expect(text('@(JObject.FromObject(new { x = 1.0, y = "z" }).ToString(Formatting.None))')).toBe('{"x":1.0,"y":"z"}');
    expect(failure('@{ var o = new JObject(); o.Add("a", 1); o.Add("a", 2); return o; }')).toMatchObject({ exceptionType: 'ArgumentException' });
    expect(text('@(JArray.Parse("[1,2,3]").Select(t => (int)t).Sum())')).toBe('6');
    expect(failure('@(JObject.Parse("[1]"))')).toMatchObject({ exceptionType: 'JsonReaderException' });
  });
});

describe('JWT and basic credentials', () => {
  it('AsJwt decodes a bearer token without validating it', () => {
    const expr = '@{ var jwt = context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt(); return jwt.Subject + "|" + jwt.Issuer + "|" + string.Join(",", jwt.Audiences) + "|" + jwt.Claims.GetValueOrDefault("roles", "") + "|" + jwt.ExpirationTime.Value.ToString("o"); }';
    expect(text(expr.replace('.Value.ToString', '?.ToString'))).toBe('alice|https://issuer|api://orders,api://other|Reader,Writer|2026-01-01T00:00:00.0000000Z');
    expect(evaluate('@("not a token".AsJwt())')).toBeNull();
    expect(text('@("x".TryParseJwt(out var jwt) ? "ok" : "no")')).toBe('no');
  });

  it('a Jwt stored by validate-jwt (output-token-variable-name) reads the same', () => {
    const state = callState();
    state.variables.set('jwt', jwtValue(token({ oid: 'o-1', scp: 'read write' })));
    expect(text('@(((Jwt)context.Variables["jwt"]).Claims.GetValueOrDefault("oid", new string[] { "" })[0])', state)).toBe('o-1');
    expect(text('@(((Jwt)context.Variables["jwt"]).Claims["scp"][0].Split(\' \').Contains("write"))', state)).toBe('True');
  });

  it('AsBasic reads basic credentials', () => {
    const header = `Basic ${Buffer.from('user:p:ss').toString('base64')}`;
    expect(text(`@("${header}".AsBasic().UserId + "/" + "${header}".AsBasic().Password)`)).toBe('user/p:ss');
    expect(evaluate('@("Basic !!".AsBasic())')).toBeNull();
  });
});

describe('encoding, hashing, GUIDs, dates and regular expressions', () => {
  it.each([
    ['@(Convert.ToBase64String(Encoding.UTF8.GetBytes("héllo")))', 'aMOpbGxv'],
    ['@(Encoding.UTF8.GetString(Convert.FromBase64String("aMOpbGxv")))', 'héllo'],
    ['@(Convert.ToBase64String(System.Security.Cryptography.SHA256.Create().ComputeHash(System.Text.Encoding.UTF8.GetBytes("abc"))))', 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='],
    ['@(BitConverter.ToString(new HMACSHA256(Encoding.ASCII.GetBytes("key")).ComputeHash(Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog"))).Replace("-", "").ToLower())', 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8'],
    ['@(System.Net.WebUtility.UrlEncode("a b&c/é"))', 'a+b%26c%2F%C3%A9'],
    ['@(Uri.EscapeDataString("a b&c/é!"))', 'a%20b%26c%2F%C3%A9%21'],
    ['@(System.Net.WebUtility.HtmlEncode("<a href=\'x\'>&</a>"))', '&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;'],
    ['@(new Guid("0f8fad5b-d9cb-469f-a165-70867728950e").ToString("N"))', '0f8fad5bd9cb469fa16570867728950e'],
    ['@(Guid.Parse("{0F8FAD5B-D9CB-469F-A165-70867728950E}").ToString())', '0f8fad5b-d9cb-469f-a165-70867728950e'],
    ['@(new Guid(new Guid("0f8fad5b-d9cb-469f-a165-70867728950e").ToByteArray()).ToString())', '0f8fad5b-d9cb-469f-a165-70867728950e'],
    ['@(DateTime.UtcNow.AddSeconds(90).ToString("yyyy-MM-dd HH:mm:ss"))', '2026-01-01 12:01:32'],
    ['@(DateTime.UtcNow.ToString("r"))', 'Thu, 01 Jan 2026 12:00:02 GMT'],
    ['@(DateTime.UtcNow)', '01/01/2026 12:00:02'],
    ['@(DateTimeOffset.UtcNow.ToUnixTimeSeconds())', '1767268802'],
    ['@(DateTimeOffset.FromUnixTimeSeconds(0).UtcDateTime.ToString("s"))', '1970-01-01T00:00:00'],
    ['@((DateTime.UtcNow - DateTime.Parse("2026-01-01T00:00:00Z").ToUniversalTime()).TotalHours)', '12.000625'],
    ['@(TimeSpan.FromMinutes(90).ToString())', '01:30:00'],
    ['@(new DateTime(2024, 2, 29).AddYears(1).ToString("yyyy-MM-dd"))', '2025-02-28'],
    ['@(Regex.IsMatch("order-123", @"^order-\\d+$"))', 'True'],
    ['@(Regex.Match("v2/orders", @"v(?<major>\\d+)/(\\w+)").Groups["major"].Value + Regex.Match("v2/orders", @"v(?<major>\\d+)/(\\w+)").Groups[2].Value)', '2orders'],
    ['@(Regex.Replace("2024-01-02", @"(\\d+)-(\\d+)-(\\d+)", "$3/$2/$1"))', '02/01/2024'],
    ['@(Regex.IsMatch("ABC", "^abc$", RegexOptions.IgnoreCase | RegexOptions.Multiline))', 'True'],
    ['@(Regex.IsMatch("line\\n", "^line$"))', 'True'],
  ])('%s → %s', (expression, expected) => {
    expect(text(expression)).toBe(expected);
  });

  it('bad base64 is FormatException; Guid.NewGuid is a fresh GUID', () => {
    expect(failure('@(Convert.FromBase64String("a*b"))')).toMatchObject({ exceptionType: 'FormatException' });
    expect(text('@(Guid.NewGuid().ToString())')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('AES Encrypt/Decrypt round-trips', () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    const iv = Buffer.alloc(16, 2).toString('base64');
    expect(text(`@(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes("secret").Encrypt("Aes", Convert.FromBase64String("${key}"), Convert.FromBase64String("${iv}")).Decrypt("Aes", Convert.FromBase64String("${key}"), Convert.FromBase64String("${iv}"))))`)).toBe('secret');
  });
});

describe('errors name the construct and its place', () => {
  it('unsupported constructs throw UnsupportedExpressionError at compile time with file:line:column', () => {
    const error = (() => {
      try {
        compileExpression('@{\n  var doc = System.Xml.Linq.XElement.Parse("<a/>");\n  return doc; }', POS);
      } catch (e) {
        return e as UnsupportedExpressionError;
      }
    })();
    expect(error).toBeInstanceOf(UnsupportedExpressionError);
    expect(error!.construct).toBe('method System.Xml.Linq.XElement.Parse');
    expect(error!.pos).toEqual({ file: 'policies/global.xml', line: 11, column: 38 });
    expect(error!.message).toContain('policies/global.xml:11:38');
  });

  it.each([
    ['@(from x in context.Variables select x)', 'LINQ query syntax'],
    ['@(typeof(string))', 'typeof'],
    ['@(new XmlDocument())', 'type XmlDocument'],
    ['@(context.Request.Body.FooBar())', 'method FooBar'],
  ])('%s is unsupported: %s', (expression, construct) => {
    expect(() => compileExpression(expression, POS)).toThrow(expect.objectContaining({ construct }));
  });

  it('members only known at run time are unsupported when evaluated', () => {
    expect(failure('@(context.Request.Body.As<XElement>())')).toMatchObject({ construct: 'type XElement' });
    expect(failure('@(context.Request.Body.As<JObject>(true).Value<Uri>("name"))')).toBeInstanceOf(UnsupportedExpressionError);
  });

  it('invalid C# throws ExpressionSyntaxError with the position of the offending token', () => {
    expect(() => compileExpression('@(1 +)', POS)).toThrow(expect.objectContaining({ pos: { file: POS.file, line: 10, column: 25 } }));
    expect(() => compileExpression('@(undefinedName.Length)', POS)).toThrow(ExpressionSyntaxError);
    expect(() => compileExpression('@{ var x = 1; var x = 2; return x; }', POS)).toThrow(ExpressionSyntaxError);
    expect(() => compileExpression('@("unterminated)', POS)).toThrow(ExpressionSyntaxError);
    expect(() => compileExpression('@($"{1 +}")', POS)).toThrow(ExpressionSyntaxError);
  });

  it('runtime errors carry the .NET exception type, message and the failing position', () => {
    const error = failure('@(context.Variables.GetValueOrDefault<string>("x").Length)') as ExpressionRuntimeError;
    expect(error).toBeInstanceOf(ExpressionRuntimeError);
    expect(error.exceptionType).toBe('NullReferenceException');
    expect(error.message).toBe('Object reference not set to an instance of an object.');
    expect(error.pos).toEqual({ file: POS.file, line: 10, column: 71 });
  });
});

describe('hostile input', () => {
  it('refuses nesting deeper than 200 levels instead of overflowing the stack', () => {
    expect(() => compileExpression(`@(${'('.repeat(5000)}1${')'.repeat(5000)})`, POS)).toThrow(expect.objectContaining({ construct: 'nesting deeper than 200 levels' }));
    expect(() => compileExpression(`@(${'!'.repeat(5000)}true)`, POS)).toThrow(UnsupportedExpressionError);
    expect(compileExpression(`@(${'('.repeat(50)}1${')'.repeat(50)})`, POS).evaluate(callState())).toBe(1);
    expect(() => compileExpression(`@(${'1 + '.repeat(20000)}1)`, POS)).toThrow(expect.objectContaining({ construct: 'more than 1000 chained operators' }));
    expect(compileExpression(`@(${'1 + '.repeat(500)}1)`, POS).evaluate(callState())).toBe(501);
  });

  it('stops an endless loop and reports it', () => {
    expect(failure('@{ while (true) { } }')).toMatchObject({ construct: 'more than 10,000,000 loop iterations in one evaluation' });
  });

  it('deep recursion of a local function is InsufficientExecutionStackException, not a crash', () => {
    expect(failure('@{ int Down(int n) { return Down(n + 1); } return Down(0); }')).toMatchObject({ exceptionType: 'InsufficientExecutionStackException' });
  });
});

describe('toPolicyString', () => {
  it('uses C# ToString semantics', () => {
    expect(toPolicyString(true)).toBe('True');
    expect(toPolicyString(null)).toBe('');
    expect(toPolicyString(evaluate('@(1.0)'))).toBe('1');
    expect(toPolicyString(evaluate('@(new byte[] { 1 })'))).toBe('System.Byte[]');
  });
});
