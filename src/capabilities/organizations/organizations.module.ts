import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ActivityModule } from '../../core/activity/activity.module.js';
import { CredentialsModule } from '../../core/credentials/credentials.module.js';
import { LifecycleModule, lifecycleParticipant } from '../../core/lifecycle/lifecycle.module.js';
import { UsersModule } from '../../core/users/users.module.js';
import { AvatarModule } from '../avatar/avatar.module.js';
import { AdminOrganizationsController } from './admin-organizations.controller.js';
import { Organization } from './entities/organization.entity.js';
import { OrganizationInvitation } from './entities/organization-invitation.entity.js';
import { OrganizationMembership } from './entities/organization-membership.entity.js';
import { OrganizationInvitationsService } from './organization-invitations.service.js';
import { OrganizationLogoService } from './organization-logo.service.js';
import { OrganizationMembersService } from './organization-members.service.js';
import { InvitationLinksController, MyOrganizationsController, OrganizationsController } from './organizations.controller.js';
import { OrganizationsLifecycle } from './organizations-lifecycle.js';
import { OrganizationsService } from './organizations.service.js';

/**
 * Organizations (issue 30): the `001` family's `organization`, memberships and roles, invitations, logos, the
 * platform admins' routes. Exports the current-organization read (the profile's `GET /api/v1/auth/user`) and the
 * invitations (registration through an invitation link).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Organization, OrganizationMembership, OrganizationInvitation]),
    UsersModule,
    ActivityModule,
    CredentialsModule,
    LifecycleModule,
    AvatarModule,
  ],
  controllers: [OrganizationsController, MyOrganizationsController, InvitationLinksController, AdminOrganizationsController],
  providers: [
    OrganizationsService,
    OrganizationMembersService,
    OrganizationInvitationsService,
    OrganizationLogoService,
    ...lifecycleParticipant(OrganizationsLifecycle),
  ],
  exports: [OrganizationsService, OrganizationInvitationsService],
})
export class OrganizationsModule {}
