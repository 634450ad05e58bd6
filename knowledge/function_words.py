"""Vietnamese words that say nothing about what a question is about, folded.

Function words, pronouns and forms of address, question words, sentence-final particles and
the fillers of chat ("ạ", "vừa", "xin hỏi", "ad"). The checks that ask whether an
answer speaks to a question's own words (``knowledge.conditions``, ``knowledge.coverage``)
skip them: a question is not about "ạ" or "xin", and no answer needs to use them.
Folding merges syllables ("ban" is "bạn" and "bán"), so a word goes here only when every
syllable it folds from is one of these; the few exceptions ("ban", "the", "tu") make the
checks miss a little.
"""

from __future__ import annotations

FUNCTION_WORDS = frozenset(
    """
    a ah ai ak anh ay ba ban bi cac can chi cho chu chua co con cu cung da dang day de den deu
    di do du duoc em gi giua ha hay hoac hoi khi khong kia la lai lam luc luon ma may minh mot
    nao nay neu nguoi nhieu nhu nhung no nua oi ong phai qua ra rang rat roi sao se sau tai the
    thi toi tren trong truoc tu va van vao vay ve vi voi vs xong
    ad bot xin vua
    """.split()
)
