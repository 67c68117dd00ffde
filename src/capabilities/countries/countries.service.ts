import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Country } from '../../core/users/country.entity.js';

@Injectable()
export class CountriesService {
  constructor(@InjectRepository(Country) private readonly countries: Repository<Country>) {}

  list(): Promise<Country[]> {
    return this.countries.find({ order: { name: 'ASC' } });
  }

  async exists(id: number): Promise<boolean> {
    return this.countries.exists({ where: { id } });
  }
}
