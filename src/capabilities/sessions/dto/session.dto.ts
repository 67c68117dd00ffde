export class SessionDto {
  /** @example "uFfF2KPoq7XZAOPLhen5ayOArawyzGitjoFIdogV" */
  id: string;
  /** @example 1 */
  user_id: number;
  /** @example "123.45.67.89" */
  ip_address: string;
  /** @example "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.90 Safari/537.36" */
  user_agent: string;
  /** @example "Chrome" */
  browser: string;
  /** @example "OS X" */
  platform: string;
  /** @example "Macintosh" */
  device: string;
  /** @example "2017-08-18 14:30:09" */
  last_activity: string;
}

export class SessionListDto {
  data: SessionDto[];
}

export class SessionItemDto {
  data: SessionDto;
}
