import type { Country } from '../../core/users/country.entity.js';
import type { CountryDto } from './dto/country.dto.js';

export function presentCountry(country: Country): CountryDto {
  return {
    id: country.id,
    name: country.name,
    full_name: country.fullName,
    capital: country.capital,
    citizenship: country.citizenship,
    country_code: country.countryCode,
    currency: country.currency,
    currency_code: country.currencyCode,
    currency_symbol: country.currencySymbol,
    iso_3166_2: country.iso31662,
    iso_3166_3: country.iso31663,
    region_code: country.regionCode,
    sub_region_code: country.subRegionCode,
    eea: country.eea,
    calling_code: country.callingCode,
    flag: country.flag,
  };
}
