"""User-facing Vietnamese texts of the dialog, in one place so they can be reviewed together."""

from __future__ import annotations

BOT_NAME = "Trợ lý pháp luật học đường"

DISCLAIMER = (
    "Đây là trợ lý tự động, không phải người thật. Câu trả lời là thông tin pháp luật "
    "chung để tham khảo, không thay thế tư vấn pháp lý cho trường hợp cụ thể."
)

WELCOME = (
    f"Xin chào! Mình là {BOT_NAME}.\n\n"
    f"{DISCLAIMER}\n\n"
    "Bạn cứ gõ câu hỏi như khi nhắn tin, có dấu hay không dấu đều được, ví dụ: "
    "“15 tuổi đi xe máy có bị phạt không?”.\n"
    "Gõ /chude để xem các chủ đề, /help để xem hướng dẫn.\n\n"
    "Nếu em đang gặp nguy hiểm hoặc bị xâm hại, hãy gọi ngay 111 (Tổng đài quốc gia bảo vệ "
    "trẻ em, miễn phí, 24/7) hoặc 113 (Công an)."
)

HELP = (
    "Cách dùng trợ lý:\n"
    "- Gõ câu hỏi pháp luật của bạn, càng cụ thể càng tốt.\n"
    "- Khi mình chưa chắc, mình sẽ gợi ý vài câu hỏi gần giống để bạn chọn.\n"
    "- /chude: xem câu hỏi theo chủ đề.\n"
    "- /hoicanbo: chuyển câu hỏi vừa rồi cho cán bộ pháp chế của trường.\n"
    "- /help: xem lại hướng dẫn này.\n\n"
    f"{DISCLAIMER}\n\n"
    "Số khẩn cấp: 111 (bảo vệ trẻ em), 113 (công an), 114 (cứu hỏa, cứu nạn), 115 (cấp cứu)."
)

EMPTY = "Bạn chưa gõ câu hỏi. Hãy nhập câu hỏi pháp luật, ví dụ: “Mấy tuổi được lái xe máy?”."
TOO_LONG = (
    "Tin nhắn dài quá (hơn {limit} ký tự) nên mình chưa đọc được. Bạn hãy viết ngắn lại, "
    "nêu rõ điều bạn muốn hỏi trong một hai câu nhé."
)
NOT_UNDERSTOOD = (
    "Mình chưa hiểu tin nhắn này. Bạn hãy gõ câu hỏi bằng chữ, ví dụ: "
    "“Học sinh có được mang điện thoại vào phòng thi không?”."
)
NOT_VIETNAMESE = (
    "Hiện mình chỉ trả lời câu hỏi bằng tiếng Việt. Bạn hãy gõ lại câu hỏi bằng tiếng Việt "
    "(có dấu hoặc không dấu đều được) nhé."
)

SUGGEST_INTRO = "Mình chưa chắc đã hiểu đúng câu hỏi. Ý bạn là:"
SUGGEST_HINT = "Chọn một câu hỏi bên trên, hoặc gõ lại câu hỏi rõ hơn."

UNANSWERED = (
    "Xin lỗi, mình chưa có câu trả lời chắc chắn cho câu hỏi này. Câu hỏi đã được ghi lại "
    "để {officer} xem và bổ sung.\n\n"
    "Bạn có thể gõ lại câu hỏi theo cách khác, hoặc gõ /chude để xem các chủ đề. "
    "Nếu việc gấp hoặc em đang gặp nguy hiểm, hãy gọi 111 hoặc 113."
)

NEEDS_CHECK_NOTE = (
    "Lưu ý: nội dung này đang được cán bộ pháp chế rà soát lại theo văn bản mới nhất; "
    "hãy hỏi thêm thầy cô khi cần quyết định quan trọng."
)

ARTICLE_INTRO = (
    "Mình chưa có câu trả lời soạn sẵn. Đây là quy định của pháp luật gần nhất với câu hỏi:"
)
ARTICLE_NOTE = "Đây là nguyên văn điều luật, không phải câu trả lời đã được cán bộ pháp chế soạn."
ARTICLE_RELATED = "Các câu hỏi gần với câu hỏi của bạn trong bộ hỏi – đáp:"

ESCALATED = (
    "Cảm ơn bạn. Câu hỏi “{question}” đã được chuyển cho {officer}. "
    "Khi có câu trả lời, mình sẽ gửi lại cho bạn tại đây."
)
NOTHING_TO_ESCALATE = "Bạn hãy gõ câu hỏi trước, rồi dùng /hoicanbo để chuyển cho cán bộ pháp chế."
FEEDBACK_THANKS_UP = "Cảm ơn bạn đã đánh giá!"
FEEDBACK_THANKS_DOWN = (
    "Cảm ơn bạn đã góp ý. Cán bộ pháp chế sẽ xem lại câu trả lời này. "
    "Bạn có thể dùng /hoicanbo để gửi câu hỏi cho cán bộ."
)

TOPICS_INTRO = "Các chủ đề (trang {page}/{pages}):"
TOPIC_ENTRIES_INTRO = "Chủ đề “{name}”:"
TOPIC_EMPTY = "Chủ đề này chưa có câu hỏi nào."
UNKNOWN_CHOICE = "Lựa chọn này không còn hiệu lực. Bạn hãy gõ lại câu hỏi nhé."
CHOICE_OUT_OF_RANGE = "Không có lựa chọn số {number}. Bạn hãy chọn từ 1 đến {count}."

SMALL_TALK = {
    "greeting": "Chào bạn! Bạn cứ gõ câu hỏi pháp luật, hoặc gõ /chude để xem các chủ đề.",
    "thanks": "Không có gì! Nếu còn thắc mắc, bạn cứ hỏi tiếp nhé.",
    "goodbye": "Tạm biệt bạn! Khi cần, bạn cứ quay lại hỏi nhé.",
}

ERROR = "Xin lỗi, mình đang gặp trục trặc. Bạn thử lại sau ít phút nhé."

BASIS_LABEL = "Căn cứ"
OPTION_ESCALATE = "Hỏi cán bộ pháp chế"
OPTION_MORE = "Xem thêm"
