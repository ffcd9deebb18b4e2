from django.contrib import admin

from articles.models import Article, ArticleVersion, Reviewer


@admin.register(Reviewer)
class ReviewerAdmin(admin.ModelAdmin):
    list_display = ["name", "credentials"]
    search_fields = ["name", "credentials"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["slug", "published_version", "published_at"]
    search_fields = ["slug", "versions__title"]
    readonly_fields = ["published_version", "published_at", "published_by", "created_at"]

    def has_add_permission(self, request):
        # Until the editors' workflow lands, articles arrive only through load_content.
        return False


@admin.register(ArticleVersion)
class ArticleVersionAdmin(admin.ModelAdmin):
    list_display = ["article", "number", "title", "last_reviewed", "source", "created_at"]
    list_filter = ["article"]
    search_fields = ["title", "article__slug"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
