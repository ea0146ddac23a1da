/**
 * Where synthetic families live. Registration with the router lists a
 * district's cities and zip codes but leaves out any that hold 1% or less of
 * its students (DESIGN.md §6.1), so the district needs both: a few main
 * cities/zips holding most students, and a long tail of rare ones, each well
 * under 1%.
 *
 * A small table of real city/zip clusters covers AZ, CA, MN, NY and TX; any
 * other state gets common US town names with zip codes from that state's
 * USPS prefix range.
 */
import { hashParts, weightedTable, type Random, drawFrom, type WeightedTable } from './random.js';

/** A city and one of its zip codes. */
export interface Locality {
  readonly city: string;
  readonly postalCode: string;
}

/** The cities, zip codes and phone area codes around one district. */
export interface DistrictArea {
  readonly state: string;
  readonly county: string;
  /** Cities where the district's schools stand, most populous first. */
  readonly schoolCities: readonly string[];
  readonly areaCodes: readonly string[];
  readonly localities: WeightedTable<Locality>;
}

interface AreaTemplate {
  readonly county: string;
  readonly areaCodes: readonly string[];
  /** [city, weight, zip codes] for the 2–4 main cities. */
  readonly main: readonly (readonly [string, number, readonly string[]])[];
  /** [city, zip] pairs of the long tail. */
  readonly tail: readonly (readonly [string, string])[];
}

/** Share of families living in the long-tail localities (spread over ~15 of them). */
const TAIL_SHARE = 0.07;

const AREAS: Readonly<Record<string, readonly AreaTemplate[]>> = {
  AZ: [
    {
      county: 'Maricopa',
      areaCodes: ['480', '602'],
      main: [
        ['Mesa', 42, ['85201', '85203', '85204', '85210']],
        ['Chandler', 30, ['85224', '85225', '85226']],
        ['Gilbert', 21, ['85233', '85234', '85296']],
      ],
      tail: [
        ['Tempe', '85281'], ['Queen Creek', '85142'], ['Apache Junction', '85120'], ['San Tan Valley', '85140'],
        ['Scottsdale', '85251'], ['Phoenix', '85042'], ['Florence', '85132'], ['Maricopa', '85138'],
        ['Casa Grande', '85122'], ['Coolidge', '85128'], ['Tucson', '85710'], ['Glendale', '85301'],
        ['Peoria', '85345'], ['Fountain Hills', '85268'], ['Gold Canyon', '85118'], ['Mesa', '85213'],
      ],
    },
    {
      county: 'Pima',
      areaCodes: ['520'],
      main: [
        ['Tucson', 55, ['85705', '85710', '85711', '85719']],
        ['Marana', 20, ['85653', '85658']],
        ['Oro Valley', 18, ['85737', '85755']],
      ],
      tail: [
        ['Sahuarita', '85629'], ['Vail', '85641'], ['Green Valley', '85614'], ['Catalina', '85739'],
        ['Benson', '85602'], ['Sierra Vista', '85635'], ['Nogales', '85621'], ['Casa Grande', '85122'],
        ['Tombstone', '85638'], ['Arivaca', '85601'], ['Phoenix', '85004'], ['Amado', '85645'],
        ['Tucson', '85730'], ['Three Points', '85736'], ['Ajo', '85321'],
      ],
    },
  ],
  MN: [
    {
      county: 'Hennepin',
      areaCodes: ['612', '952'],
      main: [
        ['Minneapolis', 50, ['55406', '55407', '55408', '55417']],
        ['Richfield', 23, ['55423']],
        ['Bloomington', 20, ['55420', '55431']],
      ],
      tail: [
        ['Saint Paul', '55104'], ['Edina', '55435'], ['Eagan', '55122'], ['Burnsville', '55337'],
        ['Hopkins', '55343'], ['St. Louis Park', '55416'], ['Apple Valley', '55124'], ['Roseville', '55113'],
        ['Duluth', '55803'], ['Rochester', '55901'], ['Golden Valley', '55422'], ['Fridley', '55432'],
        ['Inver Grove Heights', '55076'], ['Mendota Heights', '55118'], ['Shakopee', '55379'],
      ],
    },
    {
      county: 'Olmsted',
      areaCodes: ['507'],
      main: [
        ['Rochester', 70, ['55901', '55902', '55904', '55906']],
        ['Byron', 12, ['55920']],
        ['Stewartville', 11, ['55976']],
      ],
      tail: [
        ['Kasson', '55944'], ['Pine Island', '55963'], ['Oronoco', '55960'], ['Chatfield', '55923'],
        ['Eyota', '55934'], ['Zumbrota', '55992'], ['Owatonna', '55060'], ['Winona', '55987'],
        ['Austin', '55912'], ['Dodge Center', '55927'], ['Hayfield', '55940'], ['Mantorville', '55955'],
        ['Minneapolis', '55407'], ['Rochester', '55903'], ['Plainview', '55964'],
      ],
    },
  ],
  TX: [
    {
      county: 'Travis',
      areaCodes: ['512', '737'],
      main: [
        ['Austin', 55, ['78741', '78744', '78745', '78748']],
        ['Round Rock', 22, ['78664', '78681']],
        ['Pflugerville', 16, ['78660']],
      ],
      tail: [
        ['Cedar Park', '78613'], ['Georgetown', '78626'], ['Leander', '78641'], ['Kyle', '78640'],
        ['Buda', '78610'], ['Hutto', '78634'], ['Manor', '78653'], ['Del Valle', '78617'],
        ['San Marcos', '78666'], ['Lakeway', '78734'], ['Bastrop', '78602'], ['Elgin', '78621'],
        ['Dripping Springs', '78620'], ['Lockhart', '78644'], ['Taylor', '76574'], ['Houston', '77002'],
      ],
    },
    {
      county: 'El Paso',
      areaCodes: ['915'],
      main: [
        ['El Paso', 68, ['79924', '79925', '79936', '79938']],
        ['Socorro', 13, ['79927']],
        ['Horizon City', 12, ['79928']],
      ],
      tail: [
        ['Canutillo', '79835'], ['Anthony', '79821'], ['Clint', '79836'], ['Fabens', '79838'],
        ['San Elizario', '79849'], ['Tornillo', '79853'], ['Fort Bliss', '79916'], ['El Paso', '79932'],
        ['Van Horn', '79855'], ['Sierra Blanca', '79851'], ['Odessa', '79761'], ['Midland', '79701'],
        ['Alpine', '79830'], ['Pecos', '79772'], ['San Antonio', '78201'],
      ],
    },
  ],
  CA: [
    {
      county: 'Sacramento',
      areaCodes: ['916', '279'],
      main: [
        ['Sacramento', 52, ['95820', '95822', '95823', '95828']],
        ['Elk Grove', 27, ['95624', '95757', '95758']],
        ['Rancho Cordova', 14, ['95670']],
      ],
      tail: [
        ['Citrus Heights', '95610'], ['Folsom', '95630'], ['Roseville', '95661'], ['West Sacramento', '95691'],
        ['Galt', '95632'], ['Davis', '95616'], ['Carmichael', '95608'], ['Fair Oaks', '95628'],
        ['Antelope', '95843'], ['Wilton', '95693'], ['Lodi', '95240'], ['Stockton', '95207'],
        ['Woodland', '95695'], ['Fresno', '93701'], ['Oakland', '94601'],
      ],
    },
    {
      county: 'Fresno',
      areaCodes: ['559'],
      main: [
        ['Fresno', 66, ['93702', '93703', '93722', '93727']],
        ['Clovis', 27, ['93611', '93612']],
      ],
      tail: [
        ['Sanger', '93657'], ['Selma', '93662'], ['Fowler', '93625'], ['Kerman', '93630'],
        ['Madera', '93637'], ['Reedley', '93654'], ['Kingsburg', '93631'], ['Visalia', '93277'],
        ['Tulare', '93274'], ['Hanford', '93230'], ['Coalinga', '93210'], ['Firebaugh', '93622'],
        ['Mendota', '93640'], ['Parlier', '93648'], ['Orange Cove', '93646'],
      ],
    },
  ],
  NY: [
    {
      county: 'Erie',
      areaCodes: ['716'],
      main: [
        ['Buffalo', 56, ['14201', '14207', '14213', '14215']],
        ['Cheektowaga', 21, ['14225', '14227']],
        ['Tonawanda', 16, ['14150']],
      ],
      tail: [
        ['Lackawanna', '14218'], ['Kenmore', '14217'], ['Williamsville', '14221'], ['West Seneca', '14224'],
        ['Depew', '14043'], ['Lancaster', '14086'], ['Orchard Park', '14127'], ['Hamburg', '14075'],
        ['Grand Island', '14072'], ['Niagara Falls', '14301'], ['Lockport', '14094'], ['East Aurora', '14052'],
        ['Rochester', '14609'], ['Blasdell', '14219'], ['Clarence', '14031'],
      ],
    },
    {
      county: 'Monroe',
      areaCodes: ['585'],
      main: [
        ['Rochester', 62, ['14605', '14606', '14609', '14621']],
        ['Henrietta', 16, ['14467']],
        ['Webster', 15, ['14580']],
      ],
      tail: [
        ['Fairport', '14450'], ['Pittsford', '14534'], ['Brockport', '14420'], ['Spencerport', '14559'],
        ['Hilton', '14468'], ['Penfield', '14526'], ['Victor', '14564'], ['Churchville', '14428'],
        ['Honeoye Falls', '14472'], ['Scottsville', '14546'], ['Canandaigua', '14424'], ['Batavia', '14020'],
        ['Buffalo', '14213'], ['Syracuse', '13203'], ['East Rochester', '14445'],
      ],
    },
  ],
};

/** First three zip digits per state (USPS prefix ranges), for the generic fallback. */
const ZIP_PREFIXES: Readonly<Record<string, readonly [number, number]>> = {
  AL: [350, 369], AK: [995, 999], AZ: [850, 865], AR: [716, 729], CA: [900, 961], CO: [800, 816],
  CT: [60, 69], DE: [197, 199], DC: [200, 205], FL: [320, 349], GA: [300, 319], HI: [967, 968],
  ID: [832, 838], IL: [600, 629], IN: [460, 479], IA: [500, 528], KS: [660, 679], KY: [400, 427],
  LA: [700, 714], ME: [39, 49], MD: [206, 219], MA: [10, 27], MI: [480, 499], MN: [550, 567],
  MS: [386, 397], MO: [630, 658], MT: [590, 599], NE: [680, 693], NV: [889, 898], NH: [30, 38],
  NJ: [70, 89], NM: [870, 884], NY: [100, 149], NC: [270, 289], ND: [580, 588], OH: [430, 459],
  OK: [730, 749], OR: [970, 979], PA: [150, 196], RI: [28, 29], SC: [290, 299], SD: [570, 577],
  TN: [370, 385], TX: [750, 799], UT: [840, 847], VT: [50, 59], VA: [220, 246], WA: [980, 994],
  WV: [247, 268], WI: [530, 549], WY: [820, 831], PR: [6, 9],
};

/** Town names found in most US states. */
const GENERIC_TOWNS = [
  'Springfield', 'Franklin', 'Greenville', 'Clinton', 'Fairview', 'Salem', 'Madison', 'Georgetown', 'Arlington',
  'Ashland', 'Riverside', 'Centerville', 'Oakwood', 'Bristol', 'Dover', 'Hudson', 'Milford', 'Newport', 'Oxford',
  'Jackson', 'Lebanon', 'Marion', 'Chester',
];

/** Street names for house addresses. */
export const STREET_NAMES = [
  'Main St', 'Oak Ave', 'Maple St', 'Cedar Ln', 'Pine St', 'Elm St', 'Washington Ave', 'Lake Dr', 'Hill St',
  'Park Ave', 'Sunset Blvd', 'Lincoln Ave', 'Jefferson St', 'Walnut St', 'Cherry Ln', 'Highland Ave',
  'Ridge Rd', 'Meadow Ln', 'Spring St', 'Church St', 'Willow Way', 'Birch Ct', 'Aspen Dr', 'Juniper Pl',
  'Mesquite Trl', 'Saguaro Dr', 'Calle del Sol', 'Avenida Las Palmas', 'Camino Real', 'N 7th St', 'E 3rd Ave',
  'W University Dr', 'S Central Ave', 'Riverside Dr', 'Mill Rd', 'Orchard Ln', 'Prairie View Dr',
  'Stone Creek Ct', 'Bluebonnet Ln', 'Magnolia Blvd',
];

/**
 * The area around a district: for known states the table cluster whose main
 * city the district's name mentions ("Austin ISD"), else one chosen by the
 * NCES id (so two districts of one state can differ); for other states,
 * generic towns with plausible zip codes for the state.
 */
export function districtArea(state: string, ncesId: string, districtName = ''): DistrictArea {
  const templates = AREAS[state];
  const named = templates?.find((candidate) => candidate.main.some(([city]) => districtName.includes(city)));
  const template = named ?? templates?.[hashParts(ncesId) % templates.length] ?? genericTemplate(state, ncesId);
  return buildArea(state, template);
}

/** A family's home city and zip code. */
export function drawLocality(random: Random, area: DistrictArea): Locality {
  return drawFrom(random, area.localities);
}

function buildArea(state: string, template: AreaTemplate): DistrictArea {
  const items: Locality[] = [];
  const weights: number[] = [];
  const mainTotal = template.main.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [city, weight, zips] of template.main) {
    for (const postalCode of zips) {
      items.push({ city, postalCode });
      weights.push(((1 - TAIL_SHARE) * weight) / mainTotal / zips.length);
    }
  }
  for (const [city, postalCode] of template.tail) {
    items.push({ city, postalCode });
    weights.push(TAIL_SHARE / template.tail.length);
  }
  return {
    state,
    county: template.county,
    schoolCities: template.main.map(([city]) => city),
    areaCodes: template.areaCodes,
    localities: weightedTable(items, weights),
  };
}

function genericTemplate(state: string, ncesId: string): AreaTemplate {
  const [low, high] = ZIP_PREFIXES[state] ?? [100, 999];
  const start = hashParts(ncesId, 'towns');
  const town = (offset: number): string => GENERIC_TOWNS[(start + offset) % GENERIC_TOWNS.length] ?? 'Springfield';
  const zip = (offset: number): string => {
    const prefix = low + ((start + offset * 7) % (high - low + 1));
    const suffix = (hashParts(ncesId, 'zip', offset) % 90) + 10;
    return `${String(prefix).padStart(3, '0')}${String(suffix).padStart(2, '0')}`;
  };
  return {
    county: `${town(0)} County`,
    areaCodes: ['555'],
    main: [
      [town(0), 50, [zip(0), zip(1), zip(2)]],
      [town(1), 28, [zip(3), zip(4)]],
      [town(2), 15, [zip(5)]],
    ],
    tail: Array.from({ length: 15 }, (_, i) => [town(3 + i), zip(6 + i)] as const),
  };
}
