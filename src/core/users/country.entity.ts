import { Column, Entity, PrimaryColumn } from 'typeorm';

/** ISO 3166-1 country; `id` is the numeric code (688 = Serbia). */
@Entity('countries')
export class Country {
  @PrimaryColumn()
  id: number;

  @Column()
  name: string;

  @Column()
  fullName: string;

  @Column({ type: 'varchar', nullable: true })
  capital: string | null;

  @Column({ type: 'varchar', nullable: true })
  citizenship: string | null;

  @Column()
  countryCode: string;

  @Column({ type: 'varchar', nullable: true })
  currency: string | null;

  @Column({ type: 'varchar', nullable: true })
  currencyCode: string | null;

  @Column({ type: 'varchar', nullable: true })
  currencySymbol: string | null;

  @Column({ name: 'iso_3166_2' })
  iso31662: string;

  @Column({ name: 'iso_3166_3' })
  iso31663: string;

  @Column({ type: 'varchar', nullable: true })
  regionCode: string | null;

  @Column({ type: 'varchar', nullable: true })
  subRegionCode: string | null;

  @Column({ type: 'varchar', nullable: true })
  region: string | null;

  @Column({ type: 'varchar', nullable: true })
  subRegion: string | null;

  @Column()
  eea: boolean;

  @Column({ type: 'varchar', nullable: true })
  callingCode: string | null;

  @Column({ type: 'varchar', nullable: true })
  flag: string | null;
}
