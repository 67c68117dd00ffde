import { allowedReturnUrl, withQuery } from './return-urls.js';

describe('allowedReturnUrl', () => {
  const allowed = ['https://app.example.com/', 'https://admin.example.com/console'];

  it.each([
    ['https://app.example.com', 'https://app.example.com/'],
    ['https://app.example.com/settings?tab=security', 'https://app.example.com/settings?tab=security'],
    ['HTTPS://APP.example.com:443/x', 'https://app.example.com/x'],
    ['https://admin.example.com/console', 'https://admin.example.com/console'],
    ['https://admin.example.com/console/users', 'https://admin.example.com/console/users'],
  ])('accepts %s', (candidate, normalised) => {
    expect(allowedReturnUrl(candidate, allowed)).toBe(normalised);
  });

  it.each([
    'https://app.example.com.evil.test/',
    'https://app.example.com@evil.test/',
    'https://user:pass@app.example.com/',
    'http://app.example.com/',
    'https://app.example.com:8443/',
    'https://admin.example.com/consoled',
    'https://admin.example.com/',
    'https://admin.example.com/console/../other',
    'javascript:alert(1)',
    '//app.example.com/',
    '/relative',
    'https://app.example.com/#fragment',
  ])('refuses %s', (candidate) => {
    expect(allowedReturnUrl(candidate, allowed)).toBeNull();
  });
});

describe('withQuery', () => {
  it('sets the outcome beside the query the URL had', () => {
    expect(withQuery('https://app.example.com/cb?tab=1', { oauth_code: 'abc' })).toBe('https://app.example.com/cb?tab=1&oauth_code=abc');
  });
});
