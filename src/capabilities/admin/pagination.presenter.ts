import type { PaginationLinksDto, PaginationMetaDto } from './dto/admin-responses.dto.js';

/** One page of a list, as a service returns it. */
export interface Page<T> {
  items: T[];
  total: number;
  /** 1-based. */
  page: number;
  perPage: number;
}

/** Where the list lives: its absolute URL and the query the links keep (`page` is replaced). */
export interface PageLocation {
  path: string;
  query: object;
}

export interface PaginatedBody<U> {
  data: U[];
  links: PaginationLinksDto;
  meta: PaginationMetaDto;
}

function pageUrl({ path, query }: PageLocation, page: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key !== 'page' && value !== undefined && value !== null) params.append(key, String(value));
  }
  params.set('page', String(page));
  return `${path}?${params.toString()}`;
}

/** Laravel's LengthAwarePaginator JSON: `{data, links: {first, last, prev, next}, meta: {current_page, from, …}}`. */
export function presentPage<T, U>(page: Page<T>, present: (item: T) => U, location: PageLocation): PaginatedBody<U> {
  const lastPage = Math.max(1, Math.ceil(page.total / page.perPage));
  const offset = (page.page - 1) * page.perPage;
  const empty = page.items.length === 0;
  return {
    data: page.items.map(present),
    links: {
      first: pageUrl(location, 1),
      last: pageUrl(location, lastPage),
      prev: page.page > 1 ? pageUrl(location, page.page - 1) : null,
      next: page.page < lastPage ? pageUrl(location, page.page + 1) : null,
    },
    meta: {
      current_page: page.page,
      from: empty ? null : offset + 1,
      last_page: lastPage,
      path: location.path,
      per_page: page.perPage,
      to: empty ? null : offset + page.items.length,
      total: page.total,
    },
  };
}
