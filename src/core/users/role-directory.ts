import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Role } from './role.entity.js';

/**
 * The roles, kept in memory: they are fixed rows (the migrations make them, no route changes one), so the bearer
 * guard reads the caller's row without joining them. Read at start-up (if the database is down just then, on first
 * need); a role id not seen then (a row added by hand since) reloads the set once.
 */
@Injectable()
export class RoleDirectory implements OnApplicationBootstrap {
  private byId = new Map<number, Role>();
  private readonly logger = new Logger(RoleDirectory.name);

  constructor(@InjectRepository(Role) private readonly roles: Repository<Role>) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.reload().catch((error: unknown) => this.logger.warn({ err: error }, 'could not read the roles; retrying on first use'));
  }

  /** The role with this id; one unknown to the last read makes it read the rows again first. */
  async get(id: number): Promise<Role | undefined> {
    return this.byId.get(id) ?? (await this.reload()).get(id);
  }

  private async reload(): Promise<Map<number, Role>> {
    this.byId = new Map((await this.roles.find()).map((role) => [role.id, role]));
    return this.byId;
  }
}
