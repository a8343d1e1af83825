/** The generated archive's stations: where they are, what they measure and how often. */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { checkSeed, nextUp, pick, rngFor, round, shuffle } from './seededRandom.ts';

export interface StationSensor {
  sensorsId: number;
  parameter: string;
  units: string;
  /** Typical level of the readings, in `units`. */
  level: number;
  /** Decimal places the readings are rounded to. */
  decimals: number;
}

export interface Station {
  locationId: number;
  /** As written in the `location` column: site name, `-`, sensor-system id (not always locationId). */
  location: string;
  /** IANA time zone; every datetime carries this zone's offset at that instant. */
  timeZone: string;
  /** Reported position (with float noise at some stations); where a mobile station starts its day. */
  lat: number;
  lon: number;
  /** Mobile stations report a slightly different position with every reading. */
  mobile: boolean;
  /** Minutes between readings: 60 for reference monitors, 5, 10 or 15 for low-cost sensors. */
  cadenceMinutes: number;
  sensors: readonly StationSensor[];
  /** Chance that the station has a file on a given day. */
  coverage: number;
  /** Whether the station writes -999 for missing readings now and then. */
  usesSentinel: boolean;
}

export interface GenerateStationsOptions {
  /** How many stations; the first N are the same whatever the count. */
  count: number;
  seed: number;
}

interface Region {
  timeZone: string;
  lat: number;
  lon: number;
  /** Site names as the networks write them. */
  names: readonly string[];
  /** Units this network reports gases in. */
  gasUnits: 'ppm' | 'ppb' | 'µg/m³';
}

const REGIONS: readonly Region[] = [
  {
    timeZone: 'America/Denver',
    lat: 35.1353,
    lon: -106.584702,
    names: ['Del Norte', 'South Valley', 'Westside, Albuquerque', 'Jefferson St.'],
    gasUnits: 'ppm',
  },
  {
    timeZone: 'Asia/Kolkata',
    lat: 28.656756,
    lon: 77.227234,
    names: [
      'Chandni Chowk, Delhi - IITM',
      'Anand Vihar, Delhi - DPCC',
      'R K Puram, Delhi - DPCC',
      'Punjabi Bagh',
    ],
    gasUnits: 'µg/m³',
  },
  {
    timeZone: 'Asia/Ho_Chi_Minh',
    lat: 21.0491,
    lon: 105.7999,
    names: [
      'Hà Nội: 556 Nguyễn Văn Cừ',
      'Trạm Quan Trắc Phạm Văn Đồng',
      'Đại Sứ Quán Mỹ, Hà Nội',
      'Thành phố Hồ Chí Minh',
    ],
    gasUnits: 'µg/m³',
  },
  {
    timeZone: 'Europe/Berlin',
    lat: 52.4895,
    lon: 13.4308,
    names: ['Berlin Neukölln-Nansenstraße', 'Köln, Turiner Straße', 'Station "Am Zoo"', 'München'],
    gasUnits: 'µg/m³',
  },
  {
    timeZone: 'UTC',
    lat: 64.1355,
    lon: -21.8954,
    names: ['Reykjavík Grensásvegur', 'Sensor "Kit 7", rooftop', 'Hvaleyrarholt'],
    gasUnits: 'µg/m³',
  },
  {
    timeZone: 'Asia/Shanghai',
    lat: 39.982,
    lon: 116.397,
    names: ['北京市朝阳区奥体中心', '上海市静安监测站', '广州市天河职幼', '成都市金泉两河'],
    gasUnits: 'µg/m³',
  },
  {
    timeZone: 'America/Sao_Paulo',
    lat: -23.5614,
    lon: -46.7016,
    names: ['São Paulo - Pinheiros', 'Ibirapuera, São Paulo', 'Cubatão - Vale do Mogi'],
    gasUnits: 'ppb',
  },
  {
    timeZone: 'Asia/Kathmandu',
    lat: 27.7049,
    lon: 85.3076,
    names: ['Ratnapark, Kathmandu', 'Bhaisepati'],
    gasUnits: 'ppb',
  },
  {
    timeZone: 'America/New_York',
    lat: 40.7366,
    lon: -73.8201,
    names: ['Queens College', 'IS 52, Bronx', 'Pfizer Lab Site'],
    gasUnits: 'ppm',
  },
  {
    timeZone: 'Australia/Sydney',
    lat: -33.9173,
    lon: 151.2313,
    names: ['Randwick', 'Parramatta North', 'Liverpool'],
    gasUnits: 'ppb',
  },
  {
    timeZone: 'America/Mexico_City',
    lat: 19.4326,
    lon: -99.1332,
    names: ['Escuela "Benito Juárez", CDMX', 'Merced', 'Tlalnepantla'],
    gasUnits: 'ppm',
  },
];

const REFERENCE_PARAMETERS = ['pm25', 'pm10', 'o3', 'no2', 'so2', 'co', 'bc'] as const;
const LOW_COST_PARAMETERS = [
  'pm25',
  'pm10',
  'pm1',
  'um003',
  'temperature',
  'relativehumidity',
] as const;

/** The stations of a generated archive, in a fixed order with increasing location ids. */
export function generateStations(options: GenerateStationsOptions): Station[] {
  const { count, seed } = options;
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`mirror: Expected \`count\` to be an integer >= 0, got \`${count}\``);
  }
  checkSeed(seed);
  const stations: Station[] = [];
  for (let index = 0; index < count; index++) stations.push(makeStation(seed, index));
  return stations;
}

function makeStation(seed: number, index: number): Station {
  const rng = rngFor(seed, 0x5747, index);
  const region = pick(rng, REGIONS);
  // Ids increase with gaps, like the sparse real id space, and never collide.
  const locationId = 1000 + index * 97 + uniformInt(rng, 0, 96);
  const roll = uniformFloat64(rng);
  const cadenceMinutes = roll < 0.55 ? 60 : roll < 0.7 ? 15 : roll < 0.85 ? 10 : 5;
  const lowCost = cadenceMinutes !== 60;
  const mobile = lowCost && uniformFloat64(rng) < 0.12;
  // Keep files at tens to a few hundred rows: fast cadences carry fewer sensors.
  const maxSensors = cadenceMinutes === 5 ? 2 : cadenceMinutes === 10 ? 3 : 4;
  const parameters = shuffle(rng, [...(lowCost ? LOW_COST_PARAMETERS : REFERENCE_PARAMETERS)]);
  const coInPpb = uniformFloat64(rng) < 0.5;
  const sensorCount = uniformInt(rng, 1, maxSensors);
  const sensors: StationSensor[] = [];
  for (let k = 0; k < sensorCount; k++) {
    const parameter = parameters[k]!;
    sensors.push({
      sensorsId: 20_000 + (index * 4 + k) * 3 + uniformInt(rng, 0, 2),
      parameter,
      ...sensorModel(parameter, region.gasUnits, coInPpb, rng),
    });
  }
  const systemId = uniformFloat64(rng) < 0.6 ? locationId : uniformInt(rng, 100, 99_999);
  const noisy = uniformFloat64(rng) < 0.15;
  const lat = round(region.lat + (uniformFloat64(rng) - 0.5) * 0.3, 4 + uniformInt(rng, 0, 2));
  const lon = round(region.lon + (uniformFloat64(rng) - 0.5) * 0.3, 4 + uniformInt(rng, 0, 2));
  return {
    locationId,
    location: `${pick(rng, region.names)}-${systemId}`,
    timeZone: region.timeZone,
    lat: noisy ? nextUp(lat) : lat,
    lon: noisy ? nextUp(lon) : lon,
    mobile,
    cadenceMinutes,
    sensors,
    coverage: uniformFloat64(rng) < 0.2 ? 0.6 : 0.95,
    usesSentinel: uniformFloat64(rng) < 0.15,
  };
}

function sensorModel(
  parameter: string,
  gasUnits: Region['gasUnits'],
  coInPpb: boolean,
  rng: RandomGenerator,
): Pick<StationSensor, 'units' | 'level' | 'decimals'> {
  const scale = 0.5 + uniformFloat64(rng);
  const gas = (ppm: number, ugm3: number): Pick<StationSensor, 'units' | 'level' | 'decimals'> =>
    gasUnits === 'ppm'
      ? { units: 'ppm', level: ppm * scale, decimals: 3 }
      : gasUnits === 'ppb'
        ? { units: 'ppb', level: ppm * 1000 * scale, decimals: 1 }
        : { units: 'µg/m³', level: ugm3 * scale, decimals: 1 };
  switch (parameter) {
    case 'pm25':
      return { units: 'µg/m³', level: 25 * scale, decimals: 1 };
    case 'pm10':
      return { units: 'µg/m³', level: 45 * scale, decimals: 1 };
    case 'pm1':
      return { units: 'µg/m³', level: 12 * scale, decimals: 2 };
    case 'bc':
      return { units: 'µg/m³', level: 1.5 * scale, decimals: 2 };
    case 'um003':
      return { units: 'particles/cm³', level: 900 * scale, decimals: 0 };
    case 'temperature':
      return { units: 'c', level: 15 * scale, decimals: 1 };
    case 'relativehumidity':
      return { units: '%', level: 60 * scale, decimals: 0 };
    case 'co':
      return coInPpb
        ? { units: 'ppb', level: 450 * scale, decimals: 0 }
        : { units: 'ppm', level: 0.45 * scale, decimals: 2 };
    case 'o3':
      return gas(0.035, 70);
    case 'no2':
      return gas(0.02, 38);
    default:
      return gas(0.003, 8);
  }
}
