/**
 * SIF US 2.4 samples of the objects a district SIS publishes (issue 5),
 * as XML event messages. Every sample validates against the 2.4 XSD
 * (test/unit/sis-mapping.test.ts checks it).
 */
export const SIS_REF = {
  school: '5C000000000000000000000000000001',
  course: '5C000000000000000000000000000002',
  section: '5C000000000000000000000000000003',
  student: '5C000000000000000000000000000004',
  contact: '5C000000000000000000000000000005',
  enrollment: '5C000000000000000000000000000006',
  sectionEnrollment: '5C000000000000000000000000000007',
  tardy: 'AC000000000000000000000000000004',
} as const;

let counter = 0;

/** A fresh SIF_MsgId. */
export function msgId(): string {
  counter += 1;
  return `${Date.now().toString(16).toUpperCase().padStart(16, '0')}${String(counter).padStart(16, '0')}`.slice(0, 32);
}

/** A SIF_Event message carrying one object. */
export function eventXml(objectName: string, action: 'Add' | 'Change' | 'Delete', objectXml: string, id = msgId(), source = 'SIS-AGENT'): string {
  return `<SIF_Message xmlns="http://www.sifinfo.org/infrastructure/2.x" Version="2.4"><SIF_Event><SIF_Header><SIF_MsgId>${id}</SIF_MsgId><SIF_Timestamp>2026-01-15T10:00:00Z</SIF_Timestamp><SIF_SourceId>${source}</SIF_SourceId></SIF_Header><SIF_ObjectData><SIF_EventObject ObjectName="${objectName}" Action="${action}">${objectXml}</SIF_EventObject></SIF_ObjectData></SIF_Event></SIF_Message>`;
}

export const SCHOOL_XML = `<SchoolInfo RefId="${SIS_REF.school}"><LocalId>101</LocalId><StateProvinceId>AZ-101</StateProvinceId><NCESId>049990100001</NCESId><SchoolName>Dolores Huerta High School</SchoolName><SchoolURL>https://dhhs.example.org</SchoolURL><AddressList><Address Type="0765"><Street><Line1>586 Prairie View Dr</Line1></Street><City>Mesa</City><County>Maricopa</County><StateProvince>AZ</StateProvince><Country>US</Country><PostalCode>85201</PostalCode></Address></AddressList><PhoneNumberList><PhoneNumber Type="0096"><Number>480-555-0101</Number></PhoneNumber></PhoneNumberList><GradeLevels><GradeLevel><Code>09</Code></GradeLevel><GradeLevel><Code>10</Code></GradeLevel></GradeLevels></SchoolInfo>`;

export const COURSE_XML = `<SchoolCourseInfo RefId="${SIS_REF.course}" SchoolInfoRefId="${SIS_REF.school}" SchoolYear="2026"><CourseCode>SPAN1</CourseCode><StateCourseCode>06101</StateCourseCode><CourseTitle>Spanish I</CourseTitle><Description>First-year Spanish</Description><CourseCredits Type="0585">0.5</CourseCredits></SchoolCourseInfo>`;

export const SECTION_XML = `<SectionInfo RefId="${SIS_REF.section}" SchoolCourseInfoRefId="${SIS_REF.course}" SchoolYear="2026"><LocalId>SPAN1-01</LocalId><Description>Spanish I, period 3</Description></SectionInfo>`;

export const STUDENT_XML = `<StudentPersonal RefId="${SIS_REF.student}"><LocalId>708000001</LocalId><StateProvinceId>AZ12345</StateProvinceId><OtherIdList><OtherId Type="0004">123-45-6789</OtherId></OtherIdList><Name Type="04"><LastName>Blackwell</LastName><FirstName>Owen</FirstName><MiddleName>Liam</MiddleName></Name><Demographics><RaceList><Race><Code>1002</Code></Race></RaceList><HispanicLatino>No</HispanicLatino><Gender>M</Gender><BirthDate>2010-02-04</BirthDate><PlaceOfBirth>Gilbert</PlaceOfBirth><StateOfBirth>AZ</StateOfBirth><CountryOfBirth>US</CountryOfBirth><LanguageList><Language><Code>eng</Code></Language></LanguageList></Demographics><AddressList><Address Type="0765"><Street><Line1>12376 Jefferson St</Line1><Line2>Apt 3D</Line2></Street><City>Mesa</City><StateProvince>AZ</StateProvince><PostalCode>85203</PostalCode></Address></AddressList><PhoneNumberList><PhoneNumber Type="0096"><Number>480-555-0115</Number></PhoneNumber></PhoneNumberList><EmailList><Email Type="Primary">owen@example.org</Email></EmailList></StudentPersonal>`;

export const CONTACT_XML = `<StudentContactPersonal RefId="${SIS_REF.contact}"><PersonInfo><LocalId>C70800000001</LocalId><Name Type="04"><LastName>Nielsen</LastName><FirstName>Olivia</FirstName></Name><Demographics><Gender>F</Gender></Demographics><PhoneNumberList><PhoneNumber Type="0350"><Number>480-555-0116</Number></PhoneNumber></PhoneNumberList><EmailList><Email Type="Primary">olivia@example.com</Email></EmailList></PersonInfo></StudentContactPersonal>`;

export const RELATIONSHIP_XML = `<StudentContactRelationship StudentPersonalRefId="${SIS_REF.student}" StudentContactPersonalRefId="${SIS_REF.contact}"><Relationship><Code>1735</Code></Relationship><ContactFlags><ParentLegalGuardian>Yes</ParentLegalGuardian><LivesWith>Yes</LivesWith><EmergencyContact>Yes</EmergencyContact></ContactFlags><ContactSequence>1</ContactSequence></StudentContactRelationship>`;

export const ENROLLMENT_XML = `<StudentSchoolEnrollment RefId="${SIS_REF.enrollment}" StudentPersonalRefId="${SIS_REF.student}" SchoolInfoRefId="${SIS_REF.school}" MembershipType="Home" TimeFrame="Current" SchoolYear="2026"><EntryDate>2025-08-13</EntryDate><EntryType><Code>1822</Code></EntryType><GradeLevel><Code>09</Code></GradeLevel></StudentSchoolEnrollment>`;

export const SECTION_ENROLLMENT_XML = `<StudentSectionEnrollment RefId="${SIS_REF.sectionEnrollment}" StudentPersonalRefId="${SIS_REF.student}" SectionInfoRefId="${SIS_REF.section}" SchoolYear="2026"><EntryDate>2025-08-13</EntryDate><ExitDate>2025-12-19</ExitDate></StudentSectionEnrollment>`;

export const ATTENDANCE_XML = `<StudentDailyAttendance StudentPersonalRefId="${SIS_REF.student}" SchoolInfoRefId="${SIS_REF.school}" Date="2025-09-10" SchoolYear="2026"><AttendanceCodeInfoRefId>${SIS_REF.tardy}</AttendanceCodeInfoRefId><TimeIn>08:23:00</TimeIn></StudentDailyAttendance>`;

/** Every sample, in dependency order: [object name, object XML]. */
export const SIS_SAMPLES: Array<[string, string]> = [
  ['SchoolInfo', SCHOOL_XML],
  ['SchoolCourseInfo', COURSE_XML],
  ['SectionInfo', SECTION_XML],
  ['StudentPersonal', STUDENT_XML],
  ['StudentContactPersonal', CONTACT_XML],
  ['StudentContactRelationship', RELATIONSHIP_XML],
  ['StudentSchoolEnrollment', ENROLLMENT_XML],
  ['StudentSectionEnrollment', SECTION_ENROLLMENT_XML],
  ['StudentDailyAttendance', ATTENDANCE_XML],
];
