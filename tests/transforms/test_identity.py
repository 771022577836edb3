from newsetl.transforms.identity import article_id_for, is_article_file, is_compressed, source_id_from_name


def test_article_id_is_16_hex_of_the_path_hash():
    import hashlib

    path = "2020-07-05/000_b7a10fd9200f5948.txt"
    assert article_id_for(path) == hashlib.sha256(path.encode()).hexdigest()[:16]
    assert len(article_id_for("a.txt")) == 16
    assert article_id_for("a.txt") != article_id_for("b.txt")


def test_source_id_comes_from_the_crawler_file_name():
    assert source_id_from_name("000_b7a10fd9200f5948.txt") == "b7a10fd9200f5948"
    assert source_id_from_name("12_b7a10fd9200f5948.txt.gz") == "b7a10fd9200f5948"


def test_other_names_have_no_source_id():
    assert source_id_from_name("story.txt") is None
    assert source_id_from_name("000_B7A10FD9200F5948.txt") is None  # upper-case is not the crawler's form
    assert source_id_from_name("000_b7a10fd9200f59.txt") is None


def test_article_files_are_txt_and_txt_gz():
    assert is_article_file("a.txt") and is_article_file("a.txt.gz")
    assert not is_article_file("a.gz") and not is_article_file("a.pdf")
    assert is_compressed("a.txt.gz") and not is_compressed("a.txt")
