/**
 * The adults of a synthetic family (parents, guardians, emergency contacts),
 * its home address and home language. Household structures follow rough US
 * shares: two parents, parents with different surnames (whose children
 * sometimes carry both, Garcia-Lopez), single parents, grandparents, step
 * parents and foster families; some separated parents live elsewhere.
 */
import type { DistrictPlan } from './district-plan.js';
import type { LEVEL_OF_EDUCATION, RELATION } from './descriptors.js';
import { drawLocality, STREET_NAMES } from './localities.js';
import { drawFirstName, drawMiddleName, drawSurname, hyphenate, type Heritage, type NameSex } from './names.js';
import { drawFrom, type Random } from './random.js';

/** A postal address inside the district's area. */
export interface Address {
  readonly streetNumberName: string;
  readonly apartmentRoomSuiteNumber?: string;
  readonly city: string;
  readonly postalCode: string;
}

/** A parent, guardian or emergency contact of a family. */
export interface ContactPlan {
  readonly contactUniqueId: string;
  readonly firstName: string;
  readonly middleName?: string;
  readonly lastSurname: string;
  readonly sex: 'Female' | 'Male';
  readonly relation: keyof typeof RELATION;
  readonly livesWithChildren: boolean;
  readonly legalGuardian: boolean;
  readonly primaryContact: boolean;
  readonly emergencyContact: boolean;
  readonly priority: number;
  readonly address: Address;
  readonly mobilePhone: string;
  readonly workPhone?: string;
  readonly email?: string;
  readonly education?: keyof typeof LEVEL_OF_EDUCATION;
}

/** A street address at a locality, sometimes with an apartment. */
export function drawAddress(random: Random, locality: { city: string; postalCode: string }): Address {
  const apartment = random.chance(0.22) ? `Apt ${random.int(1, 4)}${random.pick(['A', 'B', 'C', 'D'])}` : undefined;
  return {
    streetNumberName: `${random.int(100, 19999)} ${random.pick(STREET_NAMES)}`,
    ...(apartment ? { apartmentRoomSuiteNumber: apartment } : {}),
    city: locality.city,
    postalCode: locality.postalCode,
  };
}

/** The family's contacts and what the children inherit from them. */
export interface Adults {
  readonly contacts: ContactPlan[];
  /** The surname the children carry. */
  readonly childSurname: string;
  readonly fatherFirstName?: string;
  /** A second name tradition for children's first names in mixed families. */
  readonly otherHeritage?: Heritage;
}

type Structure = 'two-parents' | 'two-surnames' | 'single-mother' | 'single-father' | 'grandparent' | 'stepfather' | 'foster';

const STRUCTURES: readonly Structure[] = [
  'two-parents',
  'two-surnames',
  'single-mother',
  'single-father',
  'grandparent',
  'stepfather',
  'foster',
];
const STRUCTURE_WEIGHTS = [0.55, 0.12, 0.18, 0.05, 0.05, 0.03, 0.02];

/** Draws the household structure and its adults. */
export function drawAdults(random: Random, district: DistrictPlan, familyIndex: number, heritage: Heritage, home: Address): Adults {
  const structure = random.weighted(STRUCTURES, STRUCTURE_WEIGHTS);
  const otherHeritage = random.chance(0.1) ? drawFrom(random, district.heritages) : undefined;
  const people = new ContactFactory(random, district, familyIndex, home);
  const familyName = drawSurname(random, heritage);
  switch (structure) {
    case 'two-parents': {
      const separated = random.chance(0.1);
      const mother = people.add('Mother', heritage, familyName, { primary: true });
      const father = people.add('Father', otherHeritage ?? heritage, familyName, { livesWith: !separated });
      people.addEmergencyContact(heritage);
      return { contacts: people.contacts, childSurname: mother.lastSurname, fatherFirstName: father.firstName };
    }
    case 'two-surnames': {
      const fatherName = drawSurname(random, otherHeritage ?? heritage);
      const mother = people.add('Mother', heritage, familyName, { primary: true });
      const father = people.add('Father', otherHeritage ?? heritage, fatherName, {});
      people.addEmergencyContact(heritage);
      const childSurname = random.chance(0.35) ? hyphenate(father.lastSurname, mother.lastSurname) : father.lastSurname;
      return {
        contacts: people.contacts,
        childSurname,
        fatherFirstName: father.firstName,
        ...(otherHeritage ? { otherHeritage } : {}),
      };
    }
    case 'single-mother': {
      const mother = people.add('Mother', heritage, familyName, { primary: true });
      people.addEmergencyContact(heritage);
      const childSurname = random.chance(0.6) ? mother.lastSurname : drawSurname(random, otherHeritage ?? heritage);
      return { contacts: people.contacts, childSurname };
    }
    case 'single-father': {
      const father = people.add('Father', heritage, familyName, { primary: true });
      people.addEmergencyContact(heritage);
      return { contacts: people.contacts, childSurname: father.lastSurname, fatherFirstName: father.firstName };
    }
    case 'grandparent': {
      people.add(random.chance(0.75) ? 'Grandmother' : 'Grandfather', heritage, drawSurname(random, heritage), {
        primary: true,
        older: true,
      });
      people.addEmergencyContact(heritage);
      return { contacts: people.contacts, childSurname: familyName };
    }
    case 'stepfather': {
      const mother = people.add('Mother', heritage, familyName, { primary: true });
      people.add('Father, step', otherHeritage ?? heritage, drawSurname(random, otherHeritage ?? heritage), {
        guardian: false,
      });
      return { contacts: people.contacts, childSurname: mother.lastSurname };
    }
    case 'foster': {
      people.add(random.chance(0.5) ? 'Foster parent' : 'Guardian', heritage, drawSurname(random, heritage), {
        primary: true,
      });
      return { contacts: people.contacts, childSurname: familyName };
    }
  }
}

interface ContactRole {
  readonly primary?: boolean;
  readonly livesWith?: boolean;
  readonly guardian?: boolean;
  readonly older?: boolean;
}

const MOTHERLY = new Set(['Mother', 'Grandmother', 'Aunt', 'Mother, step']);
const FATHERLY = new Set(['Father', 'Grandfather', 'Uncle', 'Father, step']);

/** Builds a family's contacts one by one, numbering their ids. */
class ContactFactory {
  readonly contacts: ContactPlan[] = [];

  constructor(
    private readonly random: Random,
    private readonly district: DistrictPlan,
    private readonly familyIndex: number,
    private readonly home: Address,
  ) {}

  add(relation: ContactPlan['relation'], heritage: Heritage, surname: string, role: ContactRole): ContactPlan {
    const random = this.random;
    const sex = this.sexFor(relation);
    const nameSex: NameSex = sex === 'Female' ? 'female' : 'male';
    const firstName = drawFirstName(random, heritage, nameSex);
    const middleName = drawMiddleName(random, heritage, nameSex, firstName);
    const livesWith = role.livesWith ?? true;
    const priority = this.contacts.length + 1;
    const contact: ContactPlan = {
      contactUniqueId: `C${this.district.idPrefix}${String(this.familyIndex).padStart(7, '0')}${priority}`,
      firstName,
      ...(middleName ? { middleName } : {}),
      lastSurname: surname,
      sex,
      relation,
      livesWithChildren: livesWith,
      legalGuardian: role.guardian ?? true,
      primaryContact: role.primary ?? false,
      emergencyContact: true,
      priority,
      address: livesWith ? this.home : drawAddress(random, drawLocality(random, this.district.area)),
      mobilePhone: this.phone(),
      ...(random.chance(0.45) ? { workPhone: this.phone() } : {}),
      ...(random.chance(0.85) ? { email: emailOf(firstName, surname, random.int(1, 99)) } : {}),
      ...(random.chance(0.6) ? { education: this.education(role.older === true) } : {}),
    };
    this.contacts.push(contact);
    return contact;
  }

  /** A relative or neighbour who can be called but is not a guardian (30% of families). */
  addEmergencyContact(heritage: Heritage): void {
    if (!this.random.chance(0.3)) return;
    const relation = this.random.pick(['Aunt', 'Uncle', 'Grandmother', 'Grandfather', 'Neighbor'] as const);
    this.add(relation, heritage, drawSurname(this.random, heritage), { livesWith: false, guardian: false });
  }

  private sexFor(relation: ContactPlan['relation']): 'Female' | 'Male' {
    if (MOTHERLY.has(relation)) return 'Female';
    if (FATHERLY.has(relation)) return 'Male';
    return this.random.chance(0.7) ? 'Female' : 'Male';
  }

  /** 555-0100 to 555-0199 are the numbers reserved for fiction, so no real line is listed. */
  private phone(): string {
    const areaCode = this.random.pick(this.district.area.areaCodes);
    return `${areaCode}-555-01${String(this.random.int(0, 99)).padStart(2, '0')}`;
  }

  private education(older: boolean): keyof typeof LEVEL_OF_EDUCATION {
    const levels = [
      'Did Not Graduate High School',
      'High School Diploma',
      'Some College No Degree',
      "Associate's Degree (two years or more)",
      "Bachelor's",
      "Master's",
      'Doctorate',
    ] as const;
    return this.random.weighted(levels, older ? [18, 40, 17, 9, 11, 4, 1] : [9, 26, 20, 11, 22, 10, 2]);
  }
}

/** An address at example.com/.org/.net (reserved for documentation), never a real mailbox. */
function emailOf(firstName: string, lastSurname: string, number: number): string {
  const domain = ['example.com', 'example.org', 'example.net'][number % 3] ?? 'example.com';
  return `${asciiLocalPart(firstName)}.${asciiLocalPart(lastSurname)}${number}@${domain}`;
}

function asciiLocalPart(name: string): string {
  return (
    name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '') || 'x'
  );
}

const HOME_LANGUAGES: Readonly<Record<Heritage, readonly [readonly string[], readonly number[]]>> = {
  general: [['eng', 'rus', 'por', 'fre'], [96, 2, 1, 1]],
  hispanic: [['spa', 'eng'], [55, 45]],
  black: [['eng', 'fre'], [96, 4]],
  asian: [['eng', 'vie', 'chi', 'kor', 'hin', 'tgl', 'hmn'], [40, 18, 12, 8, 8, 7, 7]],
  african: [['som', 'amh', 'ara', 'eng'], [55, 15, 10, 20]],
  native: [['eng', 'nav'], [80, 20]],
};

/** The language spoken at home (an Ed-Fi LanguageDescriptor code). */
export function drawHomeLanguage(random: Random, heritage: Heritage): string {
  const [languages, weights] = HOME_LANGUAGES[heritage];
  return random.weighted(languages, weights);
}
