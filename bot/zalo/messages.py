"""Vietnamese texts that only the Zalo channel shows; the dialog's own are in
``knowledge.messages``."""

from __future__ import annotations

# Zalo has no buttons: choices are numbered and the user answers with the number.
CHOOSE_ONE = "Trả lời 1 để chọn"
CHOOSE_FEW = "Trả lời {numbers} hoặc {last} để chọn"
CHOOSE_RANGE = "Trả lời một số từ 1 đến {count} để chọn"
SUGGEST_TAIL = ", hoặc gõ lại câu hỏi rõ hơn."
MENU_TAIL = "."
TOPIC_BACK = "Gõ /chude để quay lại danh sách chủ đề."
ESCALATE_HINT = "Gõ /hoicanbo nếu bạn muốn chuyển câu hỏi cho cán bộ pháp chế."

VOTE_UP = "👍 Hữu ích"
VOTE_DOWN = "👎 Chưa đúng ý"
FEEDBACK_PROMPT = (
    "Câu trả lời có giúp được bạn không? Trả lời 1 (👍 hữu ích) hoặc 2 (👎 chưa đúng ý)."
)
NOTHING_TO_RATE = (
    "Cảm ơn bạn! Mỗi khi nhận được câu trả lời, bạn có thể gửi 👍 hoặc 👎 để đánh giá nó."
)

HELP_ZALO = (
    "Trên Zalo: trả lời bằng số để chọn câu hỏi gợi ý hoặc chủ đề; gửi 👍 hoặc 👎 ngay sau "
    "câu trả lời để đánh giá."
)

MEDIA = (
    "Mình chỉ đọc được tin nhắn chữ, chưa xem được ảnh hay nhãn dán. "
    "Bạn hãy gõ câu hỏi bằng chữ nhé."
)
UNKNOWN_COMMAND = "Mình không biết lệnh này. Gõ /help để xem các lệnh, hoặc gõ thẳng câu hỏi."
FLOOD = (
    "Bạn đang gửi nhiều tin nhắn quá nhanh. Mình tạm dừng trả lời một chút; "
    "khoảng {seconds} giây nữa bạn gửi tiếp nhé."
)

# Zalo withholds the content of messages from protected accounts (children, people with
# disabilities, people who cannot read): the bot cannot tell who wrote or what, so the reply
# is the same kind pointer for everyone.
WITHHELD = (
    "Xin lỗi, mình không đọc được tin nhắn này: Zalo không chuyển nội dung của nó đến trợ lý "
    "tự động. Bạn vẫn có thể hỏi theo những cách sau:\n"
    "- Xem và gửi câu hỏi ở {column}.\n"
    "- Hỏi trực tiếp thầy cô chủ nhiệm hoặc thầy cô mà bạn tin tưởng.\n"
    "- Nếu em đang gặp nguy hiểm, bị bắt nạt hay bị xâm hại: gọi ngay 111 (Tổng đài quốc gia "
    "bảo vệ trẻ em, miễn phí, 24/7)."
)
COLUMN_WITH_URL = "chuyên mục hỏi đáp pháp luật trên trang web của trường: {url}"
COLUMN_WITHOUT_URL = "chuyên mục hỏi đáp pháp luật trên trang web của trường"

# Subscriptions: Zalo has no deep links, so the code itself is what pupils send.
CLASS_CREATED = (
    "Đã tạo lớp {name}. Mã tham gia: {code}\n"
    "Học sinh nhắn mã {code} cho trợ lý (trên Zalo hoặc Telegram) để nhận mẹo pháp luật "
    "của lớp."
)
CLASS_CODE = (
    "Lớp {name}: mã tham gia {code}. Học sinh nhắn mã này cho trợ lý để nhận mẹo pháp luật "
    "của lớp."
)
HELP_TEACHER = (
    "Dành cho giáo viên chủ nhiệm:\n"
    "- /lopmoi 10A1: tạo lớp và nhận mã cho học sinh; /malop 10A1: xem lại mã.\n"
    "- /lopcuatoi: các lớp, mã, số người nhận.\n"
    "- /gui LỚP NỘI DUNG hoặc /gui LỚP meo [CHỦ-ĐỀ]: gửi ngay; /meo: các chủ đề có mẹo.\n"
    "- /lich LỚP thứ 2 07:00 [CHỦ-ĐỀ]: gửi mẹo định kỳ; /lich: xem lịch.\n"
    "- /tamdung SỐ, /tieptuc SỐ, /xoalich SỐ: tạm dừng, tiếp tục, xóa lịch.\n"
    "- /baocao [SỐ]: báo cáo các tin đã gửi."
)
