import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Country } from './country.entity.js';
import { Role } from './role.entity.js';
import { User } from './user.entity.js';
import { RoleDirectory } from './role-directory.js';
import { UserProfileService } from './user-profile.service.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User, Role, Country])],
  providers: [UsersService, UserProfileService, RoleDirectory],
  exports: [UsersService, UserProfileService, RoleDirectory, TypeOrmModule],
})
export class UsersModule {}
