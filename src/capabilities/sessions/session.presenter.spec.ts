import { describeUserAgent } from './session.presenter.js';

describe('describeUserAgent', () => {
  it('reads the seed example as Chrome on OS X, Macintosh', () => {
    const ua =
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.90 Safari/537.36';
    expect(describeUserAgent(ua)).toEqual({ browser: 'Chrome', platform: 'OS X', device: 'Macintosh' });
  });

  it('reads an iPhone', () => {
    const ua =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
    expect(describeUserAgent(ua)).toMatchObject({ browser: 'Mobile Safari', platform: 'iOS', device: 'iPhone' });
  });

  it('does not fail on an empty agent', () => {
    expect(describeUserAgent('')).toEqual({ browser: 'Unknown', platform: 'Unknown', device: 'Unknown' });
  });
});
