import {
  accountDeletedMail,
  adminChangedAccountMail,
  emailChangeConfirmationMail,
  emailChangeRequestedMail,
  emailChangeRevertedMail,
  passwordResetNoticeMail,
  apiKeysRevokedMail,
  credentialAddedMail,
  emailChangedMail,
  emailVerificationMail,
  escapeHtml,
  passwordChangedMail,
  passwordResetMail,
} from './mail-templates.js';

const frontendUrl = 'https://app.example.test';

describe('mail templates', () => {
  it('escapes every HTML-significant character', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('builds the reset link from FRONTEND_URL with the token and the email encoded', () => {
    const mail = passwordResetMail({ frontendUrl, token: 'tok_en-1', email: 'a+b@example.test', name: 'Ana' });
    const link = `${frontendUrl}/reset-password?token=tok_en-1&email=a%2Bb%40example.test`;
    expect(mail.subject).toBe('Reset your password');
    expect(mail.text).toContain(link);
    expect(mail.text).toContain('Hello Ana,');
    expect(mail.text).toContain('60 minutes');
    // In HTML the `&` of the query string is an entity, which the browser turns back into `&`.
    expect(mail.html).toContain(`href="${link.replace('&', '&amp;')}"`);
  });

  it('builds the verification link and states its 24 hour life', () => {
    const mail = emailVerificationMail({ frontendUrl, token: 'abc', name: '' });
    expect(mail.subject).toBe('Verify your email address');
    expect(mail.text).toContain(`${frontendUrl}/verify-email?token=abc`);
    expect(mail.text).toContain('24 hours');
    expect(mail.text.startsWith('Hello,\n')).toBe(true);
  });

  it('tells the owner of a new API key its scopes, expiry, when and where it came from, never the secret', () => {
    const mail = credentialAddedMail({
      name: 'Ana',
      added: { kind: 'api-key', identifier: 'ptlc_aB3dE5fG7hJ', description: '<b>deploy</b>', scopes: ['account.read', 'sessions.read'], expiresAt: null },
      at: new Date('2025-03-04T05:06:07Z'),
      ip: '203.0.113.7',
      userAgent: 'curl/8.5.0',
    });
    expect(mail.subject).toBe('A new API key was created');
    expect(mail.text).toContain('on 2025-03-04 05:06:07 UTC, from the address 203.0.113.7.');
    expect(mail.text).toContain('Scopes: account.read, sessions.read');
    expect(mail.text).toContain('Expires: never');
    expect(mail.text).toContain('Device: curl/8.5.0');
    expect(mail.text).toContain('sign in and delete the key, or reset your password');
    expect(mail.html).toContain('&lt;b&gt;deploy&lt;/b&gt;');
  });

  it('announces every kind of credential added, with how to undo it', () => {
    const at = new Date('2025-03-04T05:06:07Z');
    const common = { name: 'Ana', at, ip: '2001:db8::7', userAgent: '<img src=x>' };
    const passkey = credentialAddedMail({ ...common, added: { kind: 'passkey', name: 'Laptop <b>' } });
    expect(passkey.subject).toBe('A passkey was added to your account');
    expect(passkey.text).toContain('A passkey named “Laptop <b>” was added to your Tessera account on 2025-03-04 05:06:07 UTC, from the address 2001:db8::7.');
    expect(passkey.text).toContain('sign in and remove the passkey, or reset your password');
    expect(passkey.html).not.toContain('<img');
    expect(passkey.html).not.toContain('Laptop <b>');
    const totp = credentialAddedMail({ ...common, added: { kind: 'two-factor', method: 'totp' } });
    expect(totp.subject).toBe('Two-factor authentication was turned on');
    expect(totp.text).toContain('Two-factor authentication by an authenticator app was turned on');
    expect(credentialAddedMail({ ...common, added: { kind: 'two-factor', method: 'sms' } }).text).toContain('by text message');
    const codes = credentialAddedMail({ ...common, userAgent: ' ', added: { kind: 'recovery-codes' } });
    expect(codes.subject).toBe('New two-factor recovery codes were generated');
    expect(codes.text).toContain('Device: unknown');
  });

  it('names the revoked keys, in the singular or the plural', () => {
    expect(apiKeysRevokedMail({ name: '', identifiers: ['ptlc_aaaaaaaaaaa'] })).toMatchObject({
      subject: 'An API key was revoked',
      text: expect.stringContaining('an API key of your Tessera account as leaked, with the full secret, so it was revoked: ptlc_aaaaaaaaaaa.'),
    });
    expect(apiKeysRevokedMail({ name: '', identifiers: ['ptlc_aaaaaaaaaaa', 'ptlc_bbbbbbbbbbb'] }).subject).toBe('API keys were revoked');
  });

  it('never lets a user-provided value into the HTML unescaped', () => {
    const name = '<script>alert("x")</script>';
    const newEmail = '"><img src=x onerror=alert(1)>@example.test';
    const mails = [
      passwordResetMail({ frontendUrl, token: 't', email: 'a@example.test', name }),
      emailVerificationMail({ frontendUrl, token: 't', name }),
      passwordChangedMail({ name }),
      credentialAddedMail({ name, added: { kind: 'passkey', name }, at: new Date(), ip: '203.0.113.7', userAgent: name }),
      emailChangedMail({ name, newEmail }),
      accountDeletedMail({ name, username: 'ana' }),
    ];
    for (const mail of mails) {
      expect(mail.html).not.toContain('<script>');
      expect(mail.html).not.toContain('<img');
      expect(mail.html).toContain('Hello &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;,');
    }
    expect(mails[4].html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;@example.test');
  });

  it('tells the old address where the account moved, without any link', () => {
    const mail = emailChangedMail({ name: 'Ana', newEmail: 'new@example.test' });
    expect(mail.subject).toBe('Your email address was changed');
    expect(mail.text).toContain('changed to new@example.test.');
    expect(mail.html).not.toContain('href=');
    expect(passwordChangedMail({ name: 'Ana' }).subject).toBe('Your password was changed');
  });

  it('confirms a deletion naming the account, without any link', () => {
    const mail = accountDeletedMail({ name: 'Ana', username: 'ana.k' });
    expect(mail.subject).toBe('Your account was deleted');
    expect(mail.text).toContain('Tessera account ana.k was deleted');
    expect(mail.html).not.toContain('href=');
  });

  it('sends the pending change: the confirmation link to the new address, the cancel link to the current one', () => {
    const confirmation = emailChangeConfirmationMail({ frontendUrl, token: 'confirm-token', name: 'Ana' });
    expect(confirmation.subject).toBe('Confirm your new email address');
    expect(confirmation.text).toContain(`${frontendUrl}/verify-email?token=confirm-token`);
    expect(confirmation.text).toContain('24 hours');
    const notice = emailChangeRequestedMail({ frontendUrl, token: 'cancel-token', name: 'Ana', newEmail: 'new@example.test' });
    expect(notice.subject).toBe('Your email address is about to change');
    expect(notice.text).toContain(`${frontendUrl}/cancel-email-change?token=cancel-token`);
    expect(notice.text).toContain('new@example.test');
    expect(notice.text).not.toContain('confirm-token');
    expect(notice.text).toContain('within 7 days');
    const reverted = emailChangeRevertedMail({ name: 'Ana', revertedEmail: '<evil>@example.test' });
    expect(reverted.subject).toBe('Your email address was restored');
    expect(reverted.text).toContain('<evil>@example.test no longer is');
    expect(reverted.html).toContain('&lt;evil&gt;@example.test');
    expect(reverted.html).not.toContain('href=');
  });

  it('says what a reset ended and what keeps working, and lists what a password change keeps', () => {
    const ended = { sessions: 3, apiKeys: 2, passkeys: 1, identities: 0, twoFactor: 0, challenges: 4, emailChanges: 1 };
    const kept = ['Two-factor authentication by an authenticator app, with 10 unused recovery codes'];
    const reset = passwordResetNoticeMail({ name: 'Ana', ended, kept, addressVerified: true });
    expect(reset.subject).toBe('Your password was reset');
    expect(reset.text).toContain(
      'Ended: every session was signed out (3), every API key deleted (2), every passkey removed (1), unfinished sign-ins dropped (4), the pending email address change cancelled.',
    );
    expect(reset.text).toContain(`Still working:\n${kept[0]}`);
    expect(reset.text).not.toContain('Two-factor authentication was turned off');
    expect(reset.text).toContain('also confirmed this email address');
    const firstProof = passwordResetNoticeMail({ name: 'Ana', ended: { ...ended, twoFactor: 1, emailChanges: 0 }, kept: [], addressVerified: false });
    expect(firstProof.text).toContain('Two-factor authentication was turned off and its recovery codes deleted');
    expect(firstProof.text).toContain('Nothing else keeps working');
    expect(firstProof.text).not.toContain('email address change');
    expect(firstProof.text).not.toContain('confirmed');
    const changed = passwordChangedMail({ name: 'Ana', revokedSessions: 2, kept: ['API key ptlc_AbCdEfGhIjK (<b>deploy</b>)', 'Passkey “Phone”'] });
    expect(changed.text).toContain('Every other session was signed out (2)');
    expect(changed.text).toContain('These keep working; remove any you do not recognise:');
    expect(changed.text).toContain('API key ptlc_AbCdEfGhIjK (<b>deploy</b>)');
    expect(changed.text).toContain('Passkey “Phone”');
    expect(changed.html).toContain('&lt;b&gt;deploy&lt;/b&gt;');
    expect(changed.html).not.toContain('<b>deploy');
  });

  it('tells the target what an administrator changed, without any link', () => {
    const mail = adminChangedAccountMail({ name: '<i>Ana</i>', changes: ['password', 'role'] });
    expect(mail.subject).toBe('An administrator changed your account');
    expect(mail.text).toContain('changed your Tessera account: password, role.');
    expect(mail.html).not.toContain('href=');
    expect(mail.html).not.toContain('<i>');
  });
});
