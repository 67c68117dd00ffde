import { sanitizeDescription } from './organization-description.js';

describe('sanitizeDescription', () => {
  it("keeps the seed's description as it is", () => {
    const seed =
      '<p><em>Welcome to </em><strong>LearnQuest Academy</strong><em>, where education meets innovation! Join us at LearnQuest Academy and start earning your badges today!!!</em></p>';
    expect(sanitizeDescription(seed)).toBe(seed);
  });

  it('keeps the allowed formatting and http, https and mailto links', () => {
    const html =
      '<h2>T</h2><h3>a</h3><h4>b</h4><ul><li>1</li></ul><ol><li>2</li></ol><blockquote>q</blockquote><p><u>u</u><br />' +
      '<a href="https://example.com/x">w</a> <a href="http://example.com">h</a> <a href="mailto:a@example.com">m</a></p>';
    expect(sanitizeDescription(html)).toBe(
      '<h2>T</h2><h3>a</h3><h4>b</h4><ul><li>1</li></ul><ol><li>2</li></ol><blockquote>q</blockquote><p><u>u</u><br />' +
        '<a href="https://example.com/x">w</a> <a href="http://example.com">h</a> <a href="mailto:a@example.com">m</a></p>',
    );
  });

  // Each payload, and what must be left of it.
  const payloads: Array<[string, string, string | null]> = [
    ['script element', '<p>hi</p><script>alert(1)</script>', '<p>hi</p>'],
    ['script in mixed case', '<p>hi<ScRiPt>alert(1)</sCrIpT></p>', '<p>hi</p>'],
    ['event handler', '<p onclick="alert(1)" onmouseover="x()">hi</p>', '<p>hi</p>'],
    ['image with onerror', '<img src=x onerror=alert(1)><p>hi</p>', '<p>hi</p>'],
    ['svg onload', '<svg onload=alert(1)><circle /></svg><p>hi</p>', '<p>hi</p>'],
    ['javascript: link', '<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
    ['javascript: link with entities and case', '<a href="JaVa&#115;cript:alert(1)">x</a>', '<a>x</a>'],
    ['javascript: link with a tab inside', '<a href="java\tscript:alert(1)">x</a>', '<a>x</a>'],
    ['data: link', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>', '<a>x</a>'],
    ['protocol-relative link', '<a href="//evil.example/x">x</a>', '<a>x</a>'],
    ['style element', '<style>p{background:url(javascript:alert(1))}</style><p>hi</p>', '<p>hi</p>'],
    ['style attribute', '<p style="background:url(javascript:alert(1));position:fixed">hi</p>', '<p>hi</p>'],
    ['CSS expression', '<p style="width:expression(alert(1))">hi</p>', '<p>hi</p>'],
    ['iframe', '<iframe src="https://evil.example"></iframe><p>hi</p>', '<p>hi</p>'],
    ['link target and other attributes', '<a href="https://e.example" target="_blank" class="x" id="y">x</a>', '<a href="https://e.example">x</a>'],
    ['unknown element keeps its text', '<div><span>hi</span></div>', 'hi'],
    ['only markup that goes', '<script>alert(1)</script>', null],
  ];

  it.each(payloads)('removes %s', (_name, html, expected) => {
    expect(sanitizeDescription(html)).toBe(expected);
  });

  it('keeps null and turns an empty string into null', () => {
    expect(sanitizeDescription(null)).toBeNull();
    expect(sanitizeDescription('')).toBeNull();
  });
});
