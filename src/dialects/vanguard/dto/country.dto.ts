/** Vanguard's country object. */
export class CountryDto {
  /** ISO 3166-1 numeric code. @example 688 */
  id: number;
  /** @example "Serbia" */
  name: string;
  /** @example "Republic of Serbia" */
  full_name: string;
  capital: string | null;
  citizenship: string | null;
  /** @example "688" */
  country_code: string;
  currency: string | null;
  currency_code: string | null;
  currency_symbol: string | null;
  /** @example "RS" */
  iso_3166_2: string;
  /** @example "SRB" */
  iso_3166_3: string;
  region_code: string | null;
  sub_region_code: string | null;
  eea: boolean;
  /** @example "381" */
  calling_code: string | null;
  flag: string | null;
}

export class CountryListDto {
  data: CountryDto[];
}
