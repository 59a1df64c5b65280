/**
 * Word lists the near-miss guard reads. They are small on purpose: each list names a kind of
 * difference that flips the answer while keeping the embedding almost unchanged.
 */

/** Words that negate what follows; a question with one and its twin without are different questions. */
export const NEGATIONS: ReadonlySet<string> = new Set(
  'not no never nothing none neither nor without cannot cant dont doesnt didnt isnt arent wasnt werent wont wouldnt shouldnt couldnt havent hasnt hadnt unable fail fails failed failing'.split(' '),
);

/** Antonym pairs (stemmed forms). Prefix antonyms (`un-`, `dis-`, `de-`, `in-`) are caught by rule, not listed. */
export const ANTONYM_PAIRS: readonly (readonly [string, string])[] = [
  ['enabl', 'disabl'], ['add', 'remov'], ['add', 'delet'], ['increas', 'decreas'], ['rais', 'lower'], ['open', 'clos'],
  ['start', 'stop'], ['start', 'end'], ['begin', 'end'], ['upgrad', 'downgrad'], ['upload', 'download'], ['import', 'export'],
  ['includ', 'exclud'], ['accept', 'reject'], ['accept', 'declin'], ['approv', 'reject'], ['approv', 'deny'], ['allow', 'block'],
  ['allow', 'deny'], ['allow', 'prevent'], ['show', 'hid'], ['login', 'logout'], ['buy', 'sell'], ['deposit', 'withdraw'],
  ['send', 'receiv'], ['lend', 'borrow'], ['win', 'los'], ['gain', 'los'], ['pay', 'refund'], ['charg', 'refund'], ['credit', 'debit'],
  ['push', 'pull'], ['join', 'leav'], ['arriv', 'depart'], ['incom', 'outgo'], ['inbound', 'outbound'], ['min', 'max'],
  ['minimum', 'maximum'], ['first', 'last'], ['earli', 'later'], ['before', 'after'], ['above', 'below'], ['over', 'under'],
  ['more', 'less'], ['more', 'fewer'], ['higher', 'lower'], ['cheaper', 'expensiv'], ['fast', 'slow'], ['faster', 'slower'],
  ['on', 'off'], ['in', 'out'], ['up', 'down'], ['left', 'right'], ['true', 'fals'], ['yes', 'no'], ['mut', 'unmut'],
  ['pin', 'unpin'], ['freez', 'unfreez'], ['pause', 'resum'], ['merg', 'split'], ['encrypt', 'decrypt'], ['attach', 'detach'],
  ['expand', 'collaps'], ['zoom', 'shrink'], ['hire', 'fire'], ['promot', 'demot'], ['archiv', 'restor'], ['save', 'discard'],
  ['old', 'new'], ['public', 'privat'], ['internal', 'external'], ['domestic', 'international'], ['temporari', 'permanent'],
  ['plu', 'minu'], ['same', 'different'], ['late', 'early'], ['allow', 'forbid'], ['allow', 'prohibit'],
  ['includ', 'lack'], ['success', 'failur'], ['valid', 'invalid'], ['full', 'partial'], ['full', 'empty'], ['light', 'heavy'], ['asc', 'desc'], ['ascend', 'descend'], ['sync', 'unsync'], ['lock', 'unlock'],
];

/** Words whose prefix makes the opposite verb (`unsubscribe`, `disconnect`, `deactivate`, `reenable`). */
export const ANTONYM_PREFIXES = ['un', 'dis', 'de', 'in', 'im', 'non', 'anti', 'mis'] as const;

/**
 * Slot words: a different one is a different question even when every other word matches
 * (sizes, colours, periods, days, months, plan tiers, currencies, platforms).
 */
export const SLOT_WORDS: ReadonlySet<string> = new Set(
  (
    'xs s m l xl xxl small medium large extra big tiny huge mini max pro plus lite basic premium standard enterprise free business personal family student ' +
    'red blue green black white grey gray silver gold pink purple yellow orange brown navy ' +
    'daily weekly monthly yearly annual annually quarterly hourly today tomorrow yesterday tonight morning evening night weekend weekday ' +
    'monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december ' +
    'usd eur gbp jpy dollar euro pound yen bitcoin paypal visa mastercard amex ' +
    'ios android windows mac macos linux iphone ipad web desktop mobile app browser chrome firefox safari ' +
    'us uk usa canada europe germany france spain italy japan china india australia mexico brazil ' +
    'express overnight standard economy ground air sea first second third last next previous'
  ).split(' '),
);

/** Words between two content words that give the pair a direction (A to B is not B to A). */
export const DIRECTION_MARKERS: ReadonlySet<string> = new Set('to into from onto toward towards than vs versus over instead via through'.split(' '));

/** Number words, so `two items` and `2 items` compare as the same value. */
export const NUMBER_WORDS: Readonly<Record<string, string>> = {
  zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9', ten: '10',
  eleven: '11', twelve: '12', fifteen: '15', twenty: '20', thirty: '30', forty: '40', fifty: '50', hundred: '100', once: '1', twice: '2', single: '1', double: '2',
};

/** Phrases folded into one token before comparing, so `log in` and `sign in` line up. */
export const PHRASES: readonly (readonly [RegExp, string])[] = [
  [/\b(?:log|sign)(?:ged|ging)?[ -]?in(?:to)?\b/g, 'login'],
  [/\b(?:log|sign)(?:ged|ging)?[ -]?(?:out|off)\b/g, 'logout'],
  [/\bsign(?:ed|ing)?[ -]?up\b|\bregister(?:ed|ing)?\b|\bcreate an account\b/g, 'signup'],
  [/\bmoney back\b|\breimburse(?:ment|d)?\b/g, 'refund'],
  [/\be-?mail(?: address)?\b/g, 'email'],
  [/\bwi-?fi\b/g, 'wifi'],
  [/\bpass ?(?:word|code)s?\b|\bpwd\b|\bpin code\b/g, 'password'],
  [/\b(?:customer )?(?:service|support) (?:team|agent|rep(?:resentative)?)\b|\b(?:a )?(?:human|real person|live agent|representative)\b/g, 'support'],
  [/\bphone number\b/g, 'phonenumber'],
  [/\b(?:turn|switch)(?:ed|ing)? on\b|\bactivate\b/g, ' enable '],
  [/\b(?:turn|switch)(?:ed|ing)? off\b|\bdeactivate\b/g, ' disable '],
  [/\b(?:am|are|is) (?:i|we|they|it|he|she) (?:allowed|permitted|able) to\b/g, ' can '],
  [/\bis there\b|\bdo you (?:have|offer|provide)\b|\bdoes it (?:have|offer)\b/g, ' '],
  [/\b(?:can ?not|can't|won't|don't|doesn't|didn't|isn't|aren't|wasn't|weren't|haven't|hasn't|shouldn't|couldn't|wouldn't)\b/g, ' not '],
  [/\bhow (?:long|soon)\b/g, ' qlong '],
  [/\bhow (?:much|many)\b/g, ' qmuch '],
  [/\bwhat time\b/g, ' qwhen '],
];

/** Synonyms folded to one stem; only pairs that give the same answer in support questions. */
export const SYNONYMS: Readonly<Record<string, string>> = {
  updat: 'chang', modify: 'chang', edit: 'chang', alter: 'chang', switch: 'chang', amend: 'chang',
  terminat: 'cancel', purchas: 'buy', parcel: 'packag', shipment: 'packag', deliver: 'ship', delivery: 'ship', dispatch: 'ship', shipp: 'ship',
  passcod: 'password', profil: 'account', remov: 'delet', eras: 'delet', repair: 'fix', resolv: 'fix', solv: 'fix', troubleshoot: 'fix',
  damag: 'broken', defectiv: 'broken', faulty: 'broken', cost: 'price', fee: 'price', pric: 'price', charg: 'charg',
  locat: 'find', view: 'find', see: 'find', check: 'find', look: 'find', reach: 'contact', speak: 'contact', talk: 'contact', call: 'contact',
  receipt: 'invoic', bill: 'invoic', membership: 'subscription', plan: 'subscription', begin: 'start', permit: 'allow', let: 'allow',
  reimburs: 'refund', obtain: 'receiv', acquir: 'buy', modif: 'chang', alteration: 'chang', quit: 'cancel', discontinu: 'cancel',
  forgotten: 'forgot', forget: 'forgot', lost: 'forgot', recover: 'reset', restor: 'reset', mobil: 'phone', cell: 'phone', cellphon: 'phone',
  move: 'transfer', link: 'connect', hook: 'connect',
  item: 'product', good: 'product', merchandis: 'product', arriv: 'ship', transit: 'ship', come: 'ship',
};

/** Words that may come and go between paraphrases without changing what is asked. */
export const FILLERS: ReadonlySet<string> = new Set(
  (
    'question wonder wondering try trying tried able actually really currently exactly kindly urgent urgently asap quickly soon go going ' +
    'guy guys explain assist assistance info information regarding regard possibl option proces process step steps instruction instructions way ways ' +
    'mean supposed correct keep offer provide available exist now still anymore again already ever even pleas plz sure somehow anyway'
  ).split(' '),
);
