//! Plausible Isan names for demo people and places.

use rand::{Rng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;

/// Parts of Isan place names, with their romanisation.
const HEADS: [(&str, &str); 16] = [
    ("หนอง", "Nong"),
    ("โนน", "Non"),
    ("โคก", "Khok"),
    ("ดอน", "Don"),
    ("ห้วย", "Huai"),
    ("นา", "Na"),
    ("สระ", "Sa"),
    ("ทุ่ง", "Thung"),
    ("กุด", "Kut"),
    ("บึง", "Bueng"),
    ("หัว", "Hua"),
    ("โพน", "Phon"),
    ("ตา", "Ta"),
    ("เสียว", "Siao"),
    ("แข้", "Khae"),
    ("ละ", "La"),
];
const TAILS: [(&str, &str); 28] = [
    ("บัว", "Bua"),
    ("ใหญ่", "Yai"),
    ("น้อย", "Noi"),
    ("แดง", "Daeng"),
    ("ขาม", "Kham"),
    ("สำโรง", "Samrong"),
    ("แก้ว", "Kaeo"),
    ("ทอง", "Thong"),
    ("ยาง", "Yang"),
    ("หว้า", "Wa"),
    ("จิก", "Chik"),
    ("ไผ่", "Phai"),
    ("เม็ก", "Mek"),
    ("คูณ", "Khun"),
    ("กระทุ่ม", "Krathum"),
    ("ตะเคียน", "Takhian"),
    ("มะม่วง", "Mamuang"),
    ("เขือง", "Khueang"),
    ("สะเดา", "Sadao"),
    ("หิน", "Hin"),
    ("ศรีสุข", "Si Suk"),
    ("สว่าง", "Sawang"),
    ("เจริญ", "Charoen"),
    ("อุดม", "Udom"),
    ("โพธิ์", "Pho"),
    ("ผึ้ง", "Phueng"),
    ("เหล็ก", "Lek"),
    ("กลาง", "Klang"),
];

/// A place name in Thai and its romanisation.
pub fn place(rng: &mut ChaCha8Rng) -> (String, String) {
    let (h, he) = HEADS.choose(rng).copied().unwrap_or(HEADS[0]);
    let (t, te) = TAILS.choose(rng).copied().unwrap_or(TAILS[0]);
    (format!("{h}{t}"), format!("{he} {te}"))
}

const MALE: [&str; 40] = [
    "สมชาย",
    "สมศักดิ์",
    "ประเสริฐ",
    "บุญมี",
    "ทองดี",
    "สุริยา",
    "วิชัย",
    "อนันต์",
    "สมบัติ",
    "ประยูร",
    "บุญเลิศ",
    "สุพจน์",
    "ชาตรี",
    "วีระ",
    "สมพงษ์",
    "คำพอง",
    "บุญส่ง",
    "สุนทร",
    "ไพโรจน์",
    "เกรียงไกร",
    "ธนากร",
    "ณัฐพล",
    "กิตติ",
    "อำนาจ",
    "ประจักษ์",
    "สมหมาย",
    "เสถียร",
    "มานพ",
    "ยุทธนา",
    "เอกชัย",
    "ทองสุข",
    "คำผาย",
    "บุญธรรม",
    "สมาน",
    "ไพบูลย์",
    "อุดม",
    "เฉลิม",
    "ประสิทธิ์",
    "วิเชียร",
    "สำเริง",
];
const FEMALE: [&str; 40] = [
    "สมศรี",
    "บุญมา",
    "มาลี",
    "สุภาพ",
    "อรุณี",
    "ประภา",
    "สมปอง",
    "บัวผัน",
    "คำปุ่น",
    "นงลักษณ์",
    "วันเพ็ญ",
    "สุดารัตน์",
    "พรทิพย์",
    "อำไพ",
    "ละเอียด",
    "ทองม้วน",
    "บุญเรือน",
    "จันทร์เพ็ญ",
    "ศิริพร",
    "กาญจนา",
    "ปราณี",
    "รัชนี",
    "สายทอง",
    "อุไร",
    "เยาวลักษณ์",
    "นิตยา",
    "พิกุล",
    "สำราญ",
    "เพ็ญศรี",
    "ลำดวน",
    "ทองคำ",
    "บุญหลาย",
    "แสงเดือน",
    "ดวงใจ",
    "อัมพร",
    "สุนีย์",
    "ผ่องศรี",
    "คำมี",
    "หนูพิน",
    "เกสร",
];
const FAMILY_HEADS: [&str; 20] = [
    "ศรี",
    "บุญ",
    "แก้ว",
    "ทอง",
    "คำ",
    "พรม",
    "สม",
    "ใจ",
    "มณี",
    "จันทร์",
    "สุข",
    "เพชร",
    "ดวง",
    "ไชย",
    "ภู",
    "นาค",
    "สาย",
    "อินทร์",
    "พิมพ์",
    "วงศ์",
];
const FAMILY_TAILS: [&str; 20] = [
    "ดี",
    "มา",
    "สุข",
    "ศรี",
    "งาม",
    "วงศ์",
    "เจริญ",
    "ประเสริฐ",
    "สวัสดิ์",
    "ทอง",
    "แก้ว",
    "ชัย",
    "สมบัติ",
    "พันธ์",
    "ทา",
    "เพ็ง",
    "ภักดี",
    "ราช",
    "สา",
    "อ่อน",
];

pub struct Person {
    pub title: &'static str,
    pub given: &'static str,
    pub family: String,
}

pub fn person(rng: &mut ChaCha8Rng) -> Person {
    let male = rng.random_bool(0.48);
    let given = if male { MALE.choose(rng) } else { FEMALE.choose(rng) }.copied().unwrap_or("สมชาย");
    let title = match (male, rng.random_range(0..10)) {
        (true, _) => "นาย",
        (false, 0..7) => "นาง",
        (false, _) => "นางสาว",
    };
    let h = FAMILY_HEADS.choose(rng).copied().unwrap_or("ศรี");
    let t = FAMILY_TAILS.choose(rng).copied().unwrap_or("ดี");
    Person { title, given, family: format!("{h}{t}") }
}

/// Splits `total` over `weights` proportionally, rounding so the parts add up.
pub fn apportion(total: usize, weights: &[u32]) -> Vec<usize> {
    let sum: u32 = weights.iter().sum::<u32>().max(1);
    let mut parts: Vec<usize> = weights.iter().map(|w| total * *w as usize / sum as usize).collect();
    let mut short = total - parts.iter().sum::<usize>();
    let mut i = 0;
    while short > 0 && !parts.is_empty() {
        parts[i % weights.len()] += 1;
        short -= 1;
        i += 1;
    }
    parts
}
