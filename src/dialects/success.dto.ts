/** `{"success": true}`: the answer of an action with nothing else to say (every family but the client's 204). */
export class SuccessDto {
  /** @example true */
  success: true;
}
