/**
 * Common English given-name short forms, each mapped to its formal name(s).
 * Used only to *describe* a near candidate to a person ("first name is a
 * nickname"), never to match automatically (DESIGN §6.4: never guess).
 */
const SHORT_FORMS: Readonly<Record<string, readonly string[]>> = {
  abby: ['abigail'],
  alex: ['alexander', 'alexandra', 'alexis'],
  andy: ['andrew'],
  ben: ['benjamin'],
  beth: ['elizabeth', 'bethany'],
  bill: ['william'],
  billy: ['william'],
  bob: ['robert'],
  bobby: ['robert'],
  cathy: ['catherine', 'cathleen'],
  charlie: ['charles', 'charlotte'],
  chris: ['christopher', 'christian', 'christina', 'christine'],
  dan: ['daniel'],
  danny: ['daniel'],
  dave: ['david'],
  ed: ['edward', 'edwin'],
  eddie: ['edward'],
  gabe: ['gabriel'],
  greg: ['gregory'],
  jake: ['jacob'],
  jim: ['james'],
  jimmy: ['james'],
  joe: ['joseph'],
  joey: ['joseph'],
  john: ['jonathan'],
  jon: ['jonathan'],
  josh: ['joshua'],
  kate: ['katherine', 'catherine', 'kathryn'],
  katie: ['katherine', 'catherine', 'kathryn'],
  kathy: ['katherine', 'kathryn'],
  liz: ['elizabeth'],
  lizzie: ['elizabeth'],
  maggie: ['margaret'],
  matt: ['matthew'],
  meg: ['margaret', 'megan'],
  mike: ['michael'],
  nate: ['nathan', 'nathaniel'],
  nick: ['nicholas'],
  pat: ['patrick', 'patricia'],
  peggy: ['margaret'],
  rob: ['robert'],
  sam: ['samuel', 'samantha'],
  sandy: ['sandra'],
  steve: ['steven', 'stephen'],
  sue: ['susan'],
  tom: ['thomas'],
  tommy: ['thomas'],
  tony: ['anthony'],
  will: ['william'],
  zach: ['zachary'],
};

/** Whether one normalized first name is a known short form of the other. */
export function isNickname(a: string, b: string): boolean {
  return (SHORT_FORMS[a]?.includes(b) ?? false) || (SHORT_FORMS[b]?.includes(a) ?? false);
}
