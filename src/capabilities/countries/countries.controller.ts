import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../../core/credentials/auth.decorators.js';
import { TAGS } from '../../platform/openapi/tags.js';
import { CountriesService } from './countries.service.js';
import { presentCountry } from '../../dialects/vanguard/country.presenter.js';
import { CountryListDto } from '../../dialects/vanguard/dto/country.dto.js';

@ApiTags(TAGS.countries)
@Controller('countries')
export class CountriesController {
  constructor(private readonly countries: CountriesService) {}

  /** List every ISO 3166-1 country. */
  @Public()
  @Get()
  @ApiOkResponse({ type: CountryListDto })
  async listCountries(): Promise<CountryListDto> {
    return { data: (await this.countries.list()).map(presentCountry) };
  }
}
