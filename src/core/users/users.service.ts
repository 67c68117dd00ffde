import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, type EntityManager, type Repository } from 'typeorm';
import { escapeLike } from '../../platform/database/escape-like.js';
import { jsonObject, PreparedQuery } from '../../platform/database/entity-rows.js';
import { DomainError, type FieldError } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { accountUserFields, type AccountUserRow } from './account-user.js';
import { Role, USER_ROLE_SLUG } from './role.entity.js';
import { RoleDirectory } from './role-directory.js';
import { User, UserStatus } from './user.entity.js';

/** The columns an account change may write. */
export type UserPatch = Partial<
  Pick<
    User,
    | 'username'
    | 'email'
    | 'emailVerifiedAt'
    | 'password'
    | 'firstName'
    | 'lastName'
    | 'phone'
    | 'address'
    | 'countryId'
    | 'birthday'
    | 'language'
    | 'publicProfile'
    | 'publicBadges'
    | 'roleId'
    | 'status'
  >
>;

export interface NewUser {
  username: string;
  email: string;
  /** Null: no password (an account created through an identity provider). */
  passwordHash: string | null;
  firstName?: string | null;
  lastName?: string | null;
  status: UserStatus;
  roleSlug?: string;
  emailVerifiedAt?: Date | null;
}

/** The columns the admin user list sorts by, under their API names. */
export const USER_SORT_COLUMNS = {
  id: 'u.id',
  username: 'u.username',
  email: 'u.email',
  created_at: 'u.createdAt',
  last_login: 'u.lastLogin',
} as const;

export type UserSortColumn = keyof typeof USER_SORT_COLUMNS;

/** The admin user list's criteria: a contains-search over names, username and email, a status, an order, a page. */
export interface UserSearch {
  search?: string;
  status?: UserStatus;
  sortBy: UserSortColumn;
  descending: boolean;
  offset: number;
  limit: number;
  withCountry?: boolean;
}

export interface RoleWithUserCount {
  role: Role;
  usersCount: number;
}

/** A login identifier and the account it names (see UsersService.lookUpLogin). */
export interface LoginLookup {
  /** The identifier as the unique indexes compare it: PostgreSQL's lower() (`alİce` → `alice`, not JS's `ali̇ce`). */
  folded: string;
  /** By username or email, with `role`, the password hash and the credential version; null when none matches. */
  user: User | null;
}

/** What the login lookup statement reads, by name. */
interface LoginLookupRow {
  folded: string;
  user: (AccountUserRow & { password: string | null; credentialVersion: number }) | null;
}

/** A user read by name (accountUserFields) as the entity TypeORM would hydrate: its timestamps as Dates. */
function userEntityOf(row: AccountUserRow & { password: string | null; credentialVersion: number }, role: Role): User {
  const dateOrNull = (instant: AccountUserRow['lastLogin']): Date | null => (instant === null ? null : new Date(instant));
  return Object.assign(new User(), row, {
    emailVerifiedAt: dateOrNull(row.emailVerifiedAt),
    termsAcceptedAt: dateOrNull(row.termsAcceptedAt),
    lastLogin: dateOrNull(row.lastLogin),
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
    role,
  });
}

/** The domain core for users: lookups, uniqueness and creation. Every route family goes through it. */
@Injectable()
export class UsersService {
  /** Statements of every sign-in, prepared once per connection rather than built by the query builder each time. */
  private signInStatements?: { lookUp: PreparedQuery; recordLogin: PreparedQuery };

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(Role) private readonly roles: Repository<Role>,
    private readonly roleDirectory: RoleDirectory,
  ) {}

  /** The user with `role` loaded, or NOT_FOUND. */
  async getById(id: number, manager?: EntityManager): Promise<User> {
    const repository = manager ? manager.getRepository(User) : this.users;
    const user = await repository.findOne({ where: { id }, relations: { role: true } });
    if (!user) throw new DomainError(PLATFORM_ERRORS.NOT_FOUND);
    return user;
  }

  /** Finds by username or email, case-insensitively, with `role`, the password hash and the credential version. */
  async findForLogin(login: string): Promise<User | null> {
    return (await this.lookUpLogin(login)).user;
  }

  /**
   * The account a login identifier names (username or email, case-insensitively) and the identifier folded as the
   * unique indexes compare it, in one statement whether or not an account matches (no timing tells the two apart).
   * The role comes from memory (RoleDirectory).
   */
  async lookUpLogin(login: string): Promise<LoginLookup> {
    const row = (await this.signIn().lookUp.value<LoginLookupRow>([login]))!;
    const role = row.user && (await this.roleDirectory.get(row.user.roleId));
    return { folded: row.folded, user: row.user && role ? userEntityOf(row.user, role) : null };
  }

  /** A username or email as the unique indexes compare it: PostgreSQL's lower() (`alİce` → `alice`, not JS's `ali̇ce`). */
  async foldLogin(login: string): Promise<string> {
    const [row] = (await this.users.query('SELECT lower($1) AS folded', [login])) as Array<{ folded: string }>;
    return row!.folded;
  }

  findByEmail(email: string, manager?: EntityManager): Promise<User | null> {
    const users = manager?.getRepository(User) ?? this.users;
    return users.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getOne();
  }

  /** The password hash of a user, selected explicitly (it is never loaded otherwise); null when the account has no password. */
  async getPasswordHash(userId: number): Promise<string | null> {
    const row = await this.users.createQueryBuilder('u').select('u.password', 'password').where('u.id = :userId', { userId }).getRawOne<{ password: string | null }>();
    if (!row) throw new DomainError(PLATFORM_ERRORS.NOT_FOUND);
    return row.password;
  }

  /**
   * 422 naming each taken field. The unique indexes stay the real guard against races: a concurrent insert
   * that slips past this check is mapped to the same 422 by the exception filter.
   */
  async assertAvailable(values: { username?: string; email?: string }, exceptUserId?: number, manager?: EntityManager): Promise<void> {
    const fields: FieldError[] = [];
    const users = manager?.getRepository(User) ?? this.users;
    for (const field of ['username', 'email'] as const) {
      const value = values[field];
      if (value === undefined) continue;
      const query = users.createQueryBuilder('u').where(`lower(u.${field}) = lower(:value)`, { value });
      if (exceptUserId !== undefined) query.andWhere('u.id <> :exceptUserId', { exceptUserId });
      if (await query.getExists()) fields.push({ field, message: `The ${field} has already been taken.`, rule: 'unique' });
    }
    if (fields.length > 0) throw new DomainError(PLATFORM_ERRORS.VALIDATION_FAILED, { fields });
  }

  async create(data: NewUser, manager?: EntityManager): Promise<User> {
    const em = manager ?? this.users.manager;
    // On the caller's transaction: a second connection taken while the transaction holds one would deadlock once
    // every pooled connection is held by a transaction waiting for another.
    await this.assertAvailable({ username: data.username, email: data.email }, undefined, em);
    const role = await em.getRepository(Role).findOneByOrFail({ slug: data.roleSlug ?? USER_ROLE_SLUG });
    const inserted = await em.getRepository(User).insert({
      username: data.username,
      email: data.email,
      password: data.passwordHash,
      firstName: data.firstName ?? null,
      lastName: data.lastName ?? null,
      status: data.status,
      roleId: role.id,
      emailVerifiedAt: data.emailVerifiedAt ?? null,
    });
    return this.getById(inserted.identifiers[0].id as number, em);
  }

  /**
   * Writes the given columns (and `updated_at`). Check availability first; a concurrent change that slips past
   * the check fails on the unique index, which the exception filter maps to the same 422.
   */
  async update(userId: number, patch: UserPatch, manager?: EntityManager): Promise<void> {
    await (manager ?? this.users.manager).getRepository(User).update({ id: userId }, patch);
  }

  async setPasswordHash(userId: number, passwordHash: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.users.manager).getRepository(User).update({ id: userId }, { password: passwordHash });
  }

  async recordLogin(userId: number): Promise<void> {
    await this.signIn().recordLogin.rows([userId]);
  }

  /**
   * The sign-in statements, built on first use. The lookup reads the user by name (accountUserFields and the
   * password hash) in a scalar subquery, so it answers one row, with `user` null, when no account matches.
   */
  private signIn(): { lookUp: PreparedQuery; recordLogin: PreparedQuery } {
    if (!this.signInStatements) {
      const dataSource = this.users.manager.connection;
      const user = jsonObject({ ...accountUserFields('u'), password: '"u"."password"', credentialVersion: '"u"."credential_version"' });
      const lookUp = new PreparedQuery(
        dataSource,
        'tessera_login_look_up',
        `SELECT ${jsonObject({
          folded: 'lower($1)',
          user: `(SELECT ${user} FROM "users" "u" WHERE lower("u"."username") = lower($1) OR lower("u"."email") = lower($1) LIMIT 1)`,
        } satisfies Record<keyof LoginLookupRow, string>)}`,
      );
      // updated_at as TypeORM's update() writes it for every change.
      const recordLogin = new PreparedQuery(
        dataSource,
        'tessera_record_login',
        `UPDATE "users" SET "last_login" = now(), "updated_at" = CURRENT_TIMESTAMP WHERE "id" = $1`,
      );
      this.signInStatements = { lookUp, recordLogin };
    }
    return this.signInStatements;
  }

  countUsers(): Promise<number> {
    return this.users.count();
  }

  roleBySlug(slug: string): Promise<Role | null> {
    return this.roles.findOneBy({ slug });
  }

  roleById(id: number): Promise<Role | null> {
    return this.roles.findOneBy({ id });
  }

  /** One page of users (role loaded, country when asked for) and the number of matches. Never-logged-in users sort last. */
  search(criteria: UserSearch): Promise<[User[], number]> {
    const direction = criteria.descending ? 'DESC' : 'ASC';
    const query = this.users.createQueryBuilder('u').innerJoinAndSelect('u.role', 'r');
    if (criteria.withCountry) query.leftJoinAndSelect('u.country', 'c');
    if (criteria.search) {
      const pattern = `%${escapeLike(criteria.search)}%`;
      const columns = ['u.first_name', 'u.last_name', `concat_ws(' ', u.first_name, u.last_name)`, 'u.username', 'u.email'];
      query.andWhere(
        new Brackets((where) => {
          for (const column of columns) where.orWhere(`${column} ILIKE :pattern ESCAPE '\\'`, { pattern });
        }),
      );
    }
    if (criteria.status) query.andWhere('u.status = :status', { status: criteria.status });
    return query
      .orderBy(USER_SORT_COLUMNS[criteria.sortBy], direction, 'NULLS LAST')
      .addOrderBy('u.id', direction)
      .offset(criteria.offset)
      .limit(criteria.limit)
      .getManyAndCount();
  }

  /** Every role with the number of users holding it, by id. */
  async rolesWithUserCounts(): Promise<RoleWithUserCount[]> {
    const [roles, counts] = await Promise.all([
      this.roles.find({ order: { id: 'ASC' } }),
      this.users
        .createQueryBuilder('u')
        .select('u.role_id', 'roleId')
        .addSelect('count(*)::int', 'count')
        .groupBy('u.role_id')
        .getRawMany<{ roleId: number; count: number }>(),
    ]);
    const byRole = new Map(counts.map((row) => [row.roleId, row.count]));
    return roles.map((role) => ({ role, usersCount: byRole.get(role.id) ?? 0 }));
  }

  /**
   * Deletes the user; every table with a user column cascades (sessions, API keys, tokens, two-factor rows), except
   * activity_logs, whose entries stay with a NULL user. Call it through AccountDeletionService, which anonymises them.
   */
  async delete(userId: number, manager?: EntityManager): Promise<void> {
    await (manager ?? this.users.manager).getRepository(User).delete({ id: userId });
  }
}
