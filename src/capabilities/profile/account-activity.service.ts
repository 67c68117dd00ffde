import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ActivityLog } from '../../core/activity/activity-log.entity.js';
import type { ActivityPage } from '../../core/activity/activity-page.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { escapeLike } from '../../platform/database/escape-like.js';
import { ADMIN_ROLE_SLUG } from '../../core/users/role.entity.js';
import type { ListActivityQueryDto } from './dto/client-account.dto.js';

export const ACTIVITY_PER_PAGE_DEFAULT = 25;


/** The caller's own activity log, paginated (the client family's `GET /api/client/account/activity`). */
@Injectable()
export class AccountActivityService {
  constructor(@InjectRepository(ActivityLog) private readonly logs: Repository<ActivityLog>) {}

  async list(auth: AuthContext, query: ListActivityQueryDto): Promise<ActivityPage> {
    const page = query.page ?? 1;
    const perPage = query.per_page ?? ACTIVITY_PER_PAGE_DEFAULT;
    const direction = query.sort === 'timestamp' ? 'ASC' : 'DESC';
    const builder = this.logs.createQueryBuilder('a').where('a.user_id = :userId', { userId: auth.user.id });
    const event = query['filter[event]'];
    if (event) builder.andWhere(`a.event ILIKE :event ESCAPE '\\'`, { event: `%${escapeLike(event)}%` });
    const [items, total] = await builder
      .orderBy('a.createdAt', direction)
      .addOrderBy('a.id', direction)
      .offset((page - 1) * perPage)
      .limit(perPage)
      .getManyAndCount();
    return { items: items.map((item) => this.visibleTo(auth, item)), total, page, perPage };
  }

  /** An entry's IP is shown for what the user did themself, and to admins; never someone else's (an admin's, an attacker's). */
  private visibleTo(auth: AuthContext, entry: ActivityLog): ActivityLog {
    const canSeeIp = entry.actorId === auth.user.id || auth.user.role?.slug === ADMIN_ROLE_SLUG;
    return canSeeIp ? entry : Object.assign(new ActivityLog(), entry, { ip: null });
  }
}
