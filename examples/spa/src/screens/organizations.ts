/**
 * Organizations: the ones the account belongs to (the current one marked), a new one, switching the current one and
 * leaving one. Owners and admins also invite by address and see the members; the invitation's link is mailed to the
 * address and opens the accept-invitation screen.
 */
import { api } from '../api';
import { el, field, form, messageArea, showError, showNotice, values } from '../ui';

export async function renderOrganizations(root: HTMLElement): Promise<void> {
  const messages = messageArea();
  const table = el('table');
  const manage = el('div');

  /** Invitations and the member list of one organization, for its owners and admins. */
  const renderManage = async (id: string, name: string) => {
    const invite = form(
      async (element) => {
        const { email, role } = values(element);
        const { data, error, response } = await api.POST('/api/organizations/{id}/invitations', {
          params: { path: { id } },
          body: { email, role: role as 'admin' | 'member' },
        });
        if (!data) return showError(messages, response, error);
        element.reset();
        showNotice(messages, `An invitation is mailed to ${data.data.email}.`);
      },
      'Invite',
      field('Email to invite', 'email', { type: 'email', required: true }),
      el('label', {}, 'Role', el('select', { name: 'role' }, el('option', { value: 'member', textContent: 'member' }), el('option', { value: 'admin', textContent: 'admin' }))),
    );
    const { data, error, response } = await api.GET('/api/organizations/{id}/members', { params: { path: { id } } });
    if (!data) return showError(messages, response, error);
    const members = el(
      'ul',
      { className: 'members' },
      ...data.data.map((member) => el('li', { textContent: `${member.user.username} (${member.email ?? ''}), ${member.role}` })),
    );
    manage.replaceChildren(el('h2', { textContent: `Manage ${name}` }), invite, el('h3', { textContent: 'Members' }), members);
  };

  const load = async () => {
    const { data, error, response } = await api.GET('/api/me/organizations');
    if (!data) return showError(messages, response, error);
    const rows = data.data.map(({ organization, role, current }) => {
      const buttons: HTMLButtonElement[] = [];
      if (!current) {
        const switchTo = el('button', { type: 'button', textContent: 'Make current' });
        switchTo.addEventListener('click', async () => {
          const result = await api.PUT('/api/me/organization', { body: { organization_id: organization.id } });
          if (!result.data) return showError(messages, result.response, result.error);
          showNotice(messages, `${organization.name} is your current organization.`);
          await load();
        });
        buttons.push(switchTo);
      }
      if (role === 'owner' || role === 'admin') {
        const open = el('button', { type: 'button', textContent: 'Manage' });
        open.addEventListener('click', () => void renderManage(organization.id, organization.name));
        buttons.push(open);
      }
      const leave = el('button', { type: 'button', textContent: 'Leave' });
      leave.addEventListener('click', async () => {
        // Leaving is removing oneself as a member: the path names the user by uuid.
        const me = await api.GET('/api/v1/auth/user');
        const userUuid = me.data?.uuid;
        if (!userUuid) return showError(messages, me.response, me.error);
        const result = await api.DELETE('/api/organizations/{id}/members/{userUuid}', { params: { path: { id: organization.id, userUuid } } });
        if (!result.response.ok) return showError(messages, result.response, result.error);
        showNotice(messages, `You left ${organization.name}.`);
        manage.replaceChildren();
        await load();
      });
      buttons.push(leave);
      return el(
        'tr',
        {},
        el('td', { textContent: organization.name }),
        el('td', { textContent: role }),
        el('td', { className: 'current', textContent: current ? 'current' : '' }),
        el('td', {}, ...buttons),
      );
    });
    table.replaceChildren(el('tr', {}, el('th', { textContent: 'Name' }), el('th', { textContent: 'Role' }), el('th'), el('th')), ...rows);
  };

  const create = form(
    async (element) => {
      const { name } = values(element);
      const { data, error, response } = await api.POST('/api/organizations', { body: { name } });
      if (!data) return showError(messages, response, error);
      element.reset();
      showNotice(messages, `The organization ${data.data.name} is created.`);
      await load();
    },
    'Create organization',
    field('Organization name', 'name', { required: true, maxLength: 150 }),
  );

  root.append(el('h1', { textContent: 'Organizations' }), messages, create, table, manage);
  await load();
}
