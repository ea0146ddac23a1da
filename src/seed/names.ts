/**
 * Name tables for synthetic people. Names are what records-transfer matching
 * compares (first, middle, last; normalized for case, accents, spaces,
 * hyphens and apostrophes), so the tables deliberately include what breaks
 * naive comparison: accented (José, Zoë, Núñez), hyphenated (Garcia-Lopez,
 * Mary-Kate), apostrophe (O'Brien, D'Andre) and multi-word (De La Cruz)
 * names, next to very common and very rare ones.
 *
 * Lists are ordered from most to least common; draws use Zipf-like weights.
 */
import { drawFrom, weightedTable, zipfWeights, type Random, type WeightedTable } from './random.js';

/** The name tradition a family's names are drawn from. */
export type Heritage = 'general' | 'hispanic' | 'black' | 'asian' | 'african' | 'native';

/** Female or male name lists (a non-binary student gets a name from either). */
export type NameSex = 'female' | 'male';

interface NamePool {
  readonly surnames: WeightedTable<string>;
  readonly female: WeightedTable<string>;
  readonly male: WeightedTable<string>;
}

function list(text: string): string[] {
  return text.split('|').map((name) => name.trim());
}

function table(names: readonly string[], flatten: number): WeightedTable<string> {
  return weightedTable(names, zipfWeights(names.length, flatten));
}

/** Surnames are spread more evenly than first names, hence the flatter curve. */
function pool(surnames: string, female: string, male: string): NamePool {
  return { surnames: table(list(surnames), 10), female: table(list(female), 3), male: table(list(male), 3) };
}

const POOLS: Readonly<Record<Heritage, NamePool>> = {
  general: pool(
    'Smith|Johnson|Williams|Brown|Jones|Miller|Davis|Wilson|Anderson|Taylor|Thomas|Moore|Martin|Thompson|White|Clark|' +
      'Lewis|Walker|Hall|Allen|Young|King|Wright|Scott|Hill|Green|Adams|Baker|Nelson|Carter|Mitchell|Roberts|Campbell|' +
      'Parker|Evans|Edwards|Collins|Stewart|Morris|Murphy|Cook|Rogers|Peterson|Cooper|Reed|Bailey|Bell|Kelly|Howard|' +
      'Ward|Cox|Richardson|Wood|Watson|Brooks|Bennett|Gray|Hughes|Price|Sanders|Myers|Long|Ross|Foster|Olson|Larson|' +
      'Hanson|Schmidt|Meyer|Schultz|Nielsen|Johansson|Sullivan|McCarthy|Kowalski|Novak|Fischer|Becker|Hoffman|' +
      "O'Brien|O'Connor|O'Neill|D'Angelo|O'Malley|D'Amico|O'Donnell|O'Reilly|Van der Berg|St. Clair|Côté|Lévesque|" +
      'Müller|Löfgren|Gagné|Bélanger',
    'Emma|Olivia|Ava|Sophia|Isabella|Charlotte|Amelia|Mia|Harper|Evelyn|Abigail|Emily|Elizabeth|Ella|Avery|Scarlett|' +
      'Grace|Chloe|Lily|Madison|Hannah|Addison|Natalie|Brooklyn|Claire|Audrey|Anna|Sarah|Samantha|Leah|Allison|Hailey|' +
      'Lillian|Aubrey|Ellie|Stella|Lucy|Paisley|Nora|Hazel|Violet|Aurora|Savannah|Kaylee|Rylee|Jennifer|Jessica|' +
      'Ashley|Amanda|Megan|Rachel|Lauren|Katherine|Rebecca|Heather|Michelle|Kimberly|Laura|Amy|Melissa|Stephanie|' +
      'Zoë|Chloé|Renée|Noëlle|Mary-Kate|Anna-Sophia|Mary-Ellen|Sinéad|Siobhan|Brynn|Maren|Ingrid',
    'Liam|Noah|Oliver|William|Elijah|James|Benjamin|Lucas|Henry|Alexander|Mason|Michael|Ethan|Daniel|Jacob|Logan|' +
      'Jackson|Sebastian|Jack|Aiden|Owen|Samuel|Matthew|Joseph|Levi|David|John|Wyatt|Carter|Luke|Grayson|Isaac|' +
      'Jayden|Theodore|Gabriel|Anthony|Dylan|Leo|Lincoln|Jaxon|Asher|Christopher|Josiah|Andrew|Thomas|Joshua|Ryan|' +
      'Nathan|Caleb|Hunter|Christian|Eli|Connor|Robert|Brian|Kevin|Mark|Steven|Jason|Eric|Scott|Timothy|Gregory|' +
      'André|Noël|Jean-Luc|Jean-Paul|Björn|Søren|Declan|Finnegan|Callum|Anders',
  ),
  hispanic: pool(
    'Garcia|Rodriguez|Martinez|Hernandez|Lopez|Gonzalez|Perez|Sanchez|Ramirez|Torres|Flores|Rivera|Gomez|Diaz|' +
      'Reyes|Morales|Cruz|Ortiz|Gutierrez|Chavez|Ramos|Ruiz|Alvarez|Mendoza|Castillo|Jimenez|Moreno|Romero|Herrera|' +
      'Medina|Aguilar|Vargas|Castro|Guzman|Fernandez|Salazar|Soto|Delgado|Vasquez|Rios|Contreras|Estrada|Ortega|' +
      'Munoz|Nunez|Pena|Santos|Guerrero|Mejia|Cabrera|Campos|Vega|Luna|Dominguez|Cervantes|Sandoval|Ibarra|Zamora|' +
      'Núñez|Peña|Muñoz|Ibáñez|Gómez|Sánchez|Hernández|Martínez|Rodríguez|Pérez|López|Díaz|Jiménez|Álvarez|' +
      'De La Cruz|De Jesús|Del Río|Garcia-Lopez|Hernandez-Ruiz|Ramírez-Ortega|Quiñones|Villaseñor|Echeverría',
    'Sofia|Isabella|Camila|Valentina|Mia|Emily|Victoria|Natalia|Lucia|Maria|Daniela|Gabriela|Ximena|Valeria|Mariana|' +
      'Andrea|Alejandra|Guadalupe|Fernanda|Paola|Vanessa|Adriana|Jasmine|Esmeralda|Yesenia|Rosa|Ana|Elena|Carmen|' +
      'Luz|Alondra|Itzel|Abril|Renata|Regina|Julieta|Catalina|Leslie|Karla|Yaretzi|' +
      'Sofía|Lucía|María|Inés|Mía|Martina|Belén|Araceli|Dulce|Maribel|Anahí|María José|Ana Lucía',
    'Mateo|Santiago|Sebastian|Diego|Daniel|Alexander|Angel|Jose|Luis|Carlos|Juan|Miguel|Jesus|Adrian|Gabriel|Javier|' +
      'Antonio|Fernando|Alejandro|Eduardo|Ricardo|Jorge|Francisco|Manuel|Emiliano|Leonardo|Julian|Nicolas|Andres|' +
      'Oscar|Victor|Rafael|Roberto|Pedro|Hector|Sergio|Mario|Raul|Cesar|Ivan|' +
      'José|Ángel|Jesús|Julián|Nicolás|Andrés|Raúl|Martín|Joaquín|Matías|Tomás|Sebastián|Noé|Germán|Juan Pablo',
  ),
  black: pool(
    'Johnson|Williams|Jackson|Brown|Jones|Davis|Smith|Harris|Robinson|Thomas|Washington|Jefferson|Thompson|Walker|' +
      'Moore|Taylor|White|Lewis|Wright|Allen|Young|Green|Carter|Mitchell|Hill|Scott|Adams|Banks|Coleman|Jenkins|' +
      'Simmons|Bryant|Alexander|Hayes|Booker|Freeman|Mack|Dorsey|Gaines|Odom|Battle|Toussaint|Okafor|Mensah|' +
      'Boateng|Okonkwo|Adeyemi|Pierre-Louis|Baptiste',
    'Aaliyah|Ava|Zoe|Maya|Jasmine|Imani|Kennedy|Nevaeh|Brianna|Destiny|Jada|Nia|Aniyah|Kayla|Amara|Taylor|Skylar|' +
      'Morgan|Jordyn|Sanaa|Zuri|Kiara|Tiana|Ebony|Keisha|Tamika|Latoya|Shanice|Ayanna|Jaliyah|' +
      "Ma'Kayla|Ja'Naya|De'Asia|Da'Nyah|Zaria|Amani|Ife|Adaeze",
    'Jayden|Elijah|Jeremiah|Isaiah|Josiah|Michael|Christopher|Malik|Darius|Xavier|Jalen|Marcus|Andre|Terrence|' +
      'Jamal|Tyrone|Cameron|Justin|Brandon|Kendrick|Dominic|Trevon|Jaylen|Demetrius|Khalil|Kareem|Rashad|' +
      "D'Andre|Ja'Marcus|De'Shawn|Ke'Andre|Tre'Von|Da'Quan|Chinedu|Kwame|Kofi|Oluwaseun",
  ),
  asian: pool(
    'Nguyen|Tran|Le|Pham|Kim|Lee|Park|Chen|Wang|Li|Zhang|Liu|Huang|Patel|Shah|Singh|Kumar|Yang|Wu|Lin|Hoang|Phan|' +
      'Vu|Dang|Bui|Do|Ho|Ngo|Duong|Ly|Choi|Jung|Kang|Cho|Tanaka|Suzuki|Yamamoto|Nakamura|Santos|Reyes|Cruz|Bautista|' +
      'Dela Cruz|Villanueva|Ramos|Mendoza|Agarwal|Reddy|Iyer|Banerjee|Chakraborty|Krishnamurthy|Venkataraman|' +
      'Thạch|Nguyễn|Trần',
    'Emily|Sophia|Chloe|Grace|Olivia|Hannah|Emma|Mia|Ella|Isabella|Anh|Linh|Mai|Thao|Ngoc|Trang|Vy|Jia|Mei|Xinyi|' +
      'Yuna|Seo-yeon|Ji-woo|Min-ji|Priya|Ananya|Aditi|Diya|Kavya|Riya|Sakura|Hana|Yui|Angelica|Kristine|Jasmine|' +
      'Ngọc|Thảo|Hà',
    'Ethan|Ryan|Kevin|Daniel|Justin|Brian|Andrew|Jason|Eric|Lucas|Minh|Huy|Khang|Bao|Duc|Tuan|Long|Hao|Wei|Jun|' +
      'Yi|Min-jun|Ji-ho|Seo-jun|Arjun|Aarav|Vihaan|Rohan|Aditya|Krishna|Haruto|Sota|Ren|Joshua|Mark|Paolo|' +
      'Khoa|Đức|Bảo',
  ),
  african: pool(
    'Mohamed|Ali|Hassan|Abdi|Ahmed|Omar|Hussein|Farah|Warsame|Abdullahi|Osman|Ibrahim|Yusuf|Mohamud|Aden|Jama|' +
      'Nur|Haile|Tesfaye|Bekele|Gebremedhin|Tadesse|Wolde|Kebede|Girma|Abebe',
    'Hodan|Fadumo|Amina|Hawa|Khadija|Ayan|Sagal|Asha|Fartun|Ifrah|Nasra|Ubah|Sumaya|Muna|Hibo|Ikram|Saida|Hanan|' +
      'Selam|Meron|Hiwot|Bethlehem|Liya|Tigist',
    'Mohamed|Abdirahman|Abdullahi|Ahmed|Hassan|Ali|Omar|Yusuf|Ibrahim|Mustafa|Abdi|Hamza|Bilal|Khalid|Ismail|' +
      'Abdiaziz|Liban|Sharmarke|Dawit|Yonas|Henok|Abel|Natnael|Elias',
  ),
  native: pool(
    'Begay|Yazzie|Benally|Tsosie|Nez|Tso|Chee|Joe|Yellowhorse|Manuelito|Attakai|Watchman|Etsitty|Largo|Lente|' +
      'Antone|Enos|Lewis|Thomas|Jose|Manuel|Harvier|Kinlicheenie|Tohee',
    'Ashley|Kayla|Destiny|Cheyenne|Autumn|Skyler|Savannah|Aiyana|Nizhoni|Shandiin|Nascha|Doli|Kaya|Tallulah|' +
      'Winona|Sierra|Dakota|Alana|Maya|Hazel',
    'Jacob|Tyler|Cody|Dakota|Hunter|Logan|Ethan|Nathan|Elijah|Gabriel|Ahiga|Hania|Kele|Nayati|Takoda|Yiska|' +
      'Ashkii|Bidziil|Dustin|Austin',
  ),
};

/**
 * Names held by very few people: matching must still find them, and they
 * sit in the long tail of any name index.
 */
const RARE_SURNAMES = list(
  'Featherstonehaugh|Przybylski|Szczepanski|Quackenbush|Vanderwoude|Wojciechowski|Zbikowski|Thorsdottir|' +
    'Higginbotham|Brzezinski|Oyelaran-Adeyemi|Castellanos-Villalobos|Xiong-Vang|MacGillivray|Fitzwilliam|' +
    'Throckmorton|Ó Súilleabháin|Kealoha|Abernathy|Zuckerman',
);
const RARE_FIRST = list(
  'Zephyrine|Oisín|Thaddeus|Bartholomew|Xiomara|Anneliese|Leopoldina|Ignatius|Ottoline|Ezekiel|Marisol|Evander|' +
    'Saoirse|Caoimhe|Ptolemy|Ignacio|Persephone|Lysander|Clementine|Florian',
);

/**
 * English place-name surnames (Ashford, Caldwell, Whitmore…) built from two
 * parts: the long tail of real surnames is far longer than any list, and
 * these give hundreds of plausible, mostly rare ones.
 */
const SURNAME_HEADS = list(
  'Ash|Black|Brad|Bright|Cald|Craw|Dal|Eld|Fair|Hart|Hol|Kings|Lang|Mars|Mid|North|Pen|Red|Shel|Stan|Thorn|Wal|' +
    'West|Whit|Wood|Hay|Brom|Chad|Ather|Wether',
);
const SURNAME_TAILS = list('ford|ley|ton|well|wood|field|by|worth|more|ham|bury|stead|wick|combe|ridge');
const SPANISH_SURNAMES = list(
  'Acosta|Aguirre|Arellano|Ayala|Barrera|Beltrán|Benavides|Cardenas|Carrillo|Cisneros|Córdova|Escobar|Espinoza|' +
    'Fuentes|Galindo|Gallegos|Huerta|Lozano|Macías|Maldonado|Marquez|Montoya|Navarro|Ochoa|Orozco|Padilla|Pacheco|' +
    'Quintero|Rosales|Saavedra|Salinas|Serrano|Solís|Tapia|Trujillo|Valdez|Valenzuela|Velázquez|Villarreal|Zavala',
);

const RARE_SURNAME_SHARE = 0.03;
const RARE_FIRST_SHARE = 0.01;
const COMPOSED_SURNAME_SHARE = 0.3;
const LONG_TAIL_SPANISH_SHARE = 0.3;

/** A surname from the heritage's pool, sometimes a rare or composed one. */
export function drawSurname(random: Random, heritage: Heritage): string {
  if (random.chance(RARE_SURNAME_SHARE)) return random.pick(RARE_SURNAMES);
  if (heritage === 'general' && random.chance(COMPOSED_SURNAME_SHARE)) {
    return `${random.pick(SURNAME_HEADS)}${random.pick(SURNAME_TAILS)}`;
  }
  if (heritage === 'hispanic' && random.chance(LONG_TAIL_SPANISH_SHARE)) return random.pick(SPANISH_SURNAMES);
  return drawFrom(random, POOLS[heritage].surnames);
}

/** A first name from the heritage's pool for the given sex, sometimes a rare one. */
export function drawFirstName(random: Random, heritage: Heritage, sex: NameSex): string {
  if (random.chance(RARE_FIRST_SHARE)) return random.pick(RARE_FIRST);
  return drawFrom(random, POOLS[heritage][sex]);
}

/** How a person's middle name is recorded: full, initial only, or absent (never the same as the first name). */
export function drawMiddleName(random: Random, heritage: Heritage, sex: NameSex, firstName: string): string | undefined {
  const roll = random.next();
  if (roll < 0.22) return undefined;
  let name = drawFirstName(random, heritage, sex);
  if (name === firstName) name = drawFirstName(random, heritage, sex);
  if (name === firstName) return undefined;
  if (roll < 0.32) return `${firstLetter(name)}.`;
  if (roll < 0.35) return firstLetter(name);
  return name;
}

/** A double surname, as children of parents with different surnames often carry. */
export function hyphenate(first: string, second: string): string {
  return `${first}-${second}`.slice(0, 75);
}

function firstLetter(name: string): string {
  return [...name][0] ?? name;
}
