import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { User } from '../../users/user.entity.js';

/** One login. Revoking it stops its access tokens on the very next request. */
@Entity('sessions')
export class Session {
  /** 40 random characters. */
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  @Column()
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  @Column({ type: 'varchar' })
  ipAddress: string;

  @Column({ type: 'text' })
  userAgent: string;

  @Column({ type: 'varchar', nullable: true })
  deviceName: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz' })
  lastActivity: Date;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** When the password (and second factor) were last proven in this session: recent authentication. */
  @Column({ type: 'timestamptz' })
  loggedInAt: Date;

  /** Refresh generation: the current refresh token is the one of this generation. */
  @Column({ type: 'int' })
  generation: number;

  /** When the current generation was issued; the access token's `iat`, and the start of the grace window. */
  @Column({ type: 'timestamptz' })
  rotatedAt: Date;

  /** Null for a browser session, which has no refresh token. */
  @Column({ type: 'varchar', length: 64, nullable: true, select: false })
  refreshTokenHash: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true, select: false })
  previousRefreshTokenHash: string | null;

  /** SHA-256 of the cookie's secret, for a browser session (`session: "cookie"`); null for a bearer one. */
  @Column({ type: 'varchar', length: 64, nullable: true, select: false })
  cookieSecretHash: string | null;

  /** The user's credential version its sign-in proved; it refreshes only while the user still has it. */
  @Column({ type: 'int' })
  credentialVersion: number;
}
